using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// Compares generated source with checked-in baselines under <c>Baselines/</c>. On a mismatch the generated text is
/// written beside the baseline as <c>NAME.received.cs</c> (git ignores <c>*.received.*</c>) and the test fails with a
/// unified diff. Set the environment variable <c>FIXEDRNN_ACCEPT_BASELINES=1</c> and run the tests once to accept the
/// current output (review the diff before committing).
/// </summary>
internal static class Baseline
{
    public const string AcceptVariable = "FIXEDRNN_ACCEPT_BASELINES";

    /// <summary>Lines of diff (hunk headers included) a failure shows; the .received file has the rest.</summary>
    public const int ShownDiffLines = 40;

    private static readonly string Directory = typeof(Baseline).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "BaselineDirectory").Value!;

    public static void AssertMatches(string actual, string name) => AssertMatches(actual, name, Directory, Environment.GetEnvironmentVariable(AcceptVariable) == "1");

    /// <summary>The comparison, with the folder and the accept switch as arguments so that the helper itself can be tested.</summary>
    internal static void AssertMatches(string actual, string name, string directory, bool accept)
    {
        string path = Path.Combine(directory, name + ".g.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        if (accept)
        {
            File.WriteAllText(path, actual);
            File.Delete(received);
            return;
        }

        if (!File.Exists(path))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"No baseline {path}; the generated source is in {received}. {AcceptInstructions(path, received)}");
        }

        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual)
        {
            // A .received file left by an earlier failure would otherwise outlive what it showed.
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        string diff = UnifiedDiff.Create(expected, actual, $"{path} (baseline)", $"{received} (generated)", maxLines: ShownDiffLines);
        Assert.Fail($"Generated source differs from its baseline; the generated source is in {received}.\n{diff}{AcceptInstructions(path, received)}");
    }

    private static string AcceptInstructions(string path, string received)
        => $"If the change is intended, accept it: run the tests with {AcceptVariable}=1, or move {received} to {path}; then review the baseline diff before committing.";
}
