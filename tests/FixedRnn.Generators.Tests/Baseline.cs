using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// Compares generated source with checked-in baselines under <c>Baselines/</c>. Set the environment
/// variable <c>FIXEDRNN_ACCEPT_BASELINES=1</c> and run the tests once to accept the current output
/// (review the diff before committing).
/// </summary>
internal static class Baseline
{
    public const string AcceptVariable = "FIXEDRNN_ACCEPT_BASELINES";

    private static readonly string Directory = typeof(Baseline).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "BaselineDirectory").Value!;

    public static void AssertMatches(string actual, string name)
    {
        string path = Path.Combine(Directory, name + ".g.cs");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"No baseline {path}. Run the tests with {AcceptVariable}=1 to create it, then review it.");
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected != actual)
        {
            string[] expectedLines = expected.Split('\n');
            string[] actualLines = actual.Split('\n');
            int line = 0;
            while (line < Math.Min(expectedLines.Length, actualLines.Length) && expectedLines[line] == actualLines[line])
            {
                line++;
            }

            Assert.Fail(
                $"Generated source differs from {path} at line {line + 1}:\n" +
                $"  expected: {(line < expectedLines.Length ? expectedLines[line] : "<end>")}\n" +
                $"  actual:   {(line < actualLines.Length ? actualLines[line] : "<end>")}\n" +
                $"If the change is intended, run the tests with {AcceptVariable}=1 and review the baseline diff.");
        }
    }
}
