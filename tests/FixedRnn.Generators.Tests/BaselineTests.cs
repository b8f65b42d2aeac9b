using System;
using System.IO;
using Xunit;
using Xunit.Sdk;

namespace FixedRnn.Generators.Tests;

/// <summary>The baseline helper itself, on a folder of its own.</summary>
public sealed class BaselineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fixedrnn-baselines-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AMismatchWritesTheReceivedFileAndShowsADiff()
    {
        File.WriteAllText(Path.Combine(_directory, "Model.g.cs"), "// header\nint a = 1;\nint b = 2;\n");

        var failure = Assert.Throws<FailException>(() => Baseline.AssertMatches("// header\nint a = 1;\nint b = 3;\n", "Model", _directory, accept: false));

        string received = Path.Combine(_directory, "Model.received.cs");
        Assert.Equal("// header\nint a = 1;\nint b = 3;\n", File.ReadAllText(received));
        Assert.Contains("@@ -1,3 +1,3 @@\n // header\n int a = 1;\n-int b = 2;\n+int b = 3;\n", failure.Message);
        Assert.Contains($"{Baseline.AcceptVariable}=1", failure.Message);
        Assert.Contains(received, failure.Message);
    }

    [Fact]
    public void AMatchDeletesAStaleReceivedFile()
    {
        File.WriteAllText(Path.Combine(_directory, "Model.g.cs"), "int a = 1;\n");
        File.WriteAllText(Path.Combine(_directory, "Model.received.cs"), "int a = 2;\n");

        Baseline.AssertMatches("int a = 1;\r\n", "Model", _directory, accept: false);

        Assert.False(File.Exists(Path.Combine(_directory, "Model.received.cs")));
    }

    [Fact]
    public void AMissingBaselineFailsAndLeavesTheReceivedFile()
    {
        Assert.Throws<FailException>(() => Baseline.AssertMatches("int a = 1;\n", "New", _directory, accept: false));

        Assert.Equal("int a = 1;\n", File.ReadAllText(Path.Combine(_directory, "New.received.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "New.g.cs")));
    }

    [Fact]
    public void AcceptingWritesTheBaselineAndRemovesTheReceivedFile()
    {
        File.WriteAllText(Path.Combine(_directory, "Model.received.cs"), "int a = 2;\n");

        Baseline.AssertMatches("int a = 2;\r\n", "Model", _directory, accept: true);

        Assert.Equal("int a = 2;\n", File.ReadAllText(Path.Combine(_directory, "Model.g.cs")));
        Assert.False(File.Exists(Path.Combine(_directory, "Model.received.cs")));
    }
}
