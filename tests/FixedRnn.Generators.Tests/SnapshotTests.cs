using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// The generated source, compared with reviewed baselines, and compiled without errors or warnings.
/// </summary>
public sealed class SnapshotTests
{
    [Theory]
    [InlineData("OneLayerLstm", "[RecurrentModel(inputSize: 8)]\n[Lstm(32)]")]
    [InlineData("StackedGruDense", "[RecurrentModel(inputSize: 4)]\n[Gru(16)]\n[Gru(16)]\n[Dense(1)]")]
    [InlineData("RnnRelu", "[RecurrentModel(inputSize: 2)]\n[Rnn(24, Activation = RnnActivation.Relu)]")]
    [InlineData("ResetBeforeGru", "[RecurrentModel(inputSize: 3)]\n[Gru(16, ResetAfter = false)]\n[Dense(2, Activation = DenseActivation.Tanh)]")]
    [InlineData("OddSizeLstm", "[RecurrentModel(inputSize: 1)]\n[Lstm(13)]\n[Dense(1)]")]
    public void GeneratedSourceMatchesBaseline(string name, string attributes)
    {
        string source = $$"""
            using FixedRnn;

            namespace Sample;

            {{attributes}}
            public partial class {{name}};
            """;

        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        Assert.Matches($@"^Sample\.{name}\.[0-9a-f]{{8}}\.g\.cs$", generated.HintName);
        Baseline.AssertMatches(generated.SourceText.ToString(), name);
    }

    [Fact]
    public void NestedModelRedeclaresItsContainers()
    {
        const string source = """
            using FixedRnn;

            namespace Sample;

            public static partial class Models
            {
                internal partial record struct Holder
                {
                    [RecurrentModel(inputSize: 2)]
                    [Rnn(4)]
                    public partial record Tiny;
                }
            }
            """;

        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(source);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
        string text = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains("partial class Models", text);
        Assert.Contains("partial record struct Holder", text);
        Assert.Contains("partial record Tiny", text);
    }

    [Fact]
    public void GlobalNamespaceModelCompiles()
    {
        const string source = """
            [FixedRnn.RecurrentModel(inputSize: 1)]
            [FixedRnn.Lstm(1)]
            partial class Smallest;
            """;

        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(source);

        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
        Assert.DoesNotContain("namespace", Assert.Single(result.GeneratedSources).SourceText.ToString().Split('\n').Where(line => !line.StartsWith("//")));
    }
}
