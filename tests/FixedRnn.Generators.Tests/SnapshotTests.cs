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
    [InlineData("PeepholeLstm", "[RecurrentModel(inputSize: 3)]\n[Lstm(13, Peepholes = true)]\n[Dense(1)]")]
    [InlineData("ProjectedLstm", "[RecurrentModel(inputSize: 8)]\n[Lstm(20, ProjectionSize = 6)]\n[Dense(1)]")]
    [InlineData("BidirectionalLstm", "[RecurrentModel(inputSize: 3)]\n[Lstm(10, Bidirectional = true)]\n[Dense(2)]")]
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
        Assert.Equal(3, result.GeneratedSources.Length);
        foreach (string part in new[] { "", ".Training", ".Interop" })
        {
            GeneratedSourceResult generated = Assert.Single(result.GeneratedSources, source => source.HintName.EndsWith($"{part}.g.cs", System.StringComparison.Ordinal) && (part.Length > 0 || !source.HintName.Contains(".Training.", System.StringComparison.Ordinal) && !source.HintName.Contains(".Interop.", System.StringComparison.Ordinal)));
            Assert.Matches($@"^Sample\.{name}\.[0-9a-f]{{8}}{part.Replace(".", "\\.")}\.g\.cs$", generated.HintName);
            Baseline.AssertMatches(generated.SourceText.ToString(), name + part);
        }
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
        Assert.Equal(3, result.GeneratedSources.Length);
        string text = result.GeneratedSources[0].SourceText.ToString();
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
        Assert.All(result.GeneratedSources, generated =>
        {
            // The model's part is at the top level; only the file-local kernels live in a namespace, FixedRnn.Generated.
            string[] namespaces = generated.SourceText.ToString().Split('\n').Where(line => line.StartsWith("namespace", System.StringComparison.Ordinal)).ToArray();
            Assert.Equal(new[] { "namespace FixedRnn.Generated" }, namespaces);
        });
    }
}
