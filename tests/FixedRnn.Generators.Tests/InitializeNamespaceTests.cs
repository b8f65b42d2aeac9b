using Microsoft.CodeAnalysis;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// Code that declares and runs a model needs only <c>using FixedRnn;</c>, Initialize included (issue 13):
/// the generated <c>Initialize</c> takes <c>InitializationScheme</c>, so that enum must live in the
/// FixedRnn namespace and the generator must name it there.
/// </summary>
public sealed class InitializeNamespaceTests
{
    [Fact]
    public void InitializeCompilesWithOnlyUsingFixedRnn()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run("""
            using FixedRnn;

            public static class Inference
            {
                public static float FirstOutput()
                {
                    var model = new Tiny();
                    model.Initialize(InitializationScheme.PyTorch, seed: 1);
                    var state = default(Tiny.State);
                    var output = new float[Tiny.OutputSize];
                    model.Step(new float[Tiny.InputSize], ref state, output);
                    return output[0];
                }
            }

            [RecurrentModel(inputSize: 2)]
            [Lstm(hiddenSize: 4)]
            [Dense(outputSize: 1)]
            public partial class Tiny;
            """);

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
    }
}
