using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>The same weights and inputs give bitwise-identical outputs, sequentially and from 8 threads sharing one model.</summary>
public sealed class DeterminismTests
{
    private const int Streams = 8;
    private const int Steps = 300;

    [Fact]
    public void RepeatedRunsAreBitwiseIdentical()
    {
        float[] first = Run(NewModel(), seed: 1);
        float[] second = Run(NewModel(), seed: 1);

        Assert.Equal(first, second);
    }

    [Fact]
    public void EightThreadsSharingOneModelReproduceTheSequentialResults()
    {
        var model = NewModel();
        var expected = new float[Streams][];
        for (int stream = 0; stream < Streams; stream++)
        {
            expected[stream] = Run(model, seed: stream);
        }

        var actual = new float[Streams][];
        using var start = new Barrier(Streams);
        Parallel.For(0, Streams, new ParallelOptions { MaxDegreeOfParallelism = Streams }, stream =>
        {
            // Every thread starts together and steps its own State against the shared weights.
            start.SignalAndWait();
            actual[stream] = Run(model, seed: stream);
        });

        for (int stream = 0; stream < Streams; stream++)
        {
            Assert.Equal(expected[stream], actual[stream]);
        }
    }

    /// <summary>Steps one stream tick by tick, returning every output; each seed gives its own inputs.</summary>
    private static float[] Run(StackedGruDense model, int seed)
    {
        var random = new Random(seed);
        var input = new float[StackedGruDense.InputSize];
        var outputs = new float[Steps * StackedGruDense.OutputSize];
        var state = default(StackedGruDense.State);
        for (int step = 0; step < Steps; step++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)((random.NextDouble() * 4) - 2);
            }

            model.Step(input, ref state, outputs.AsSpan(step * StackedGruDense.OutputSize, StackedGruDense.OutputSize));
        }

        return outputs;
    }

    private static StackedGruDense NewModel()
    {
        var model = new StackedGruDense();
        model.LoadPyTorch(Fixture.PathOf("stack_gru_dense.weights.safetensors"));
        return model;
    }
}
