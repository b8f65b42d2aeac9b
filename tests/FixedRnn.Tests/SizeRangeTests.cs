using System;
using FixedRnn.Tests.Reference;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests;

/// <summary>Sizes from 1 to 1024, odd and even, against the double-precision reference.</summary>
public sealed class SizeRangeTests(ITestOutputHelper output)
{
    [Fact]
    public void SizeOne() => AssertMatchesReference<LstmSize1, LstmSize1.State>(new ReferenceNetwork(1, 1, (ReferenceKind.Lstm, 1)), steps: 20, tolerance: 1e-6);

    [Fact]
    public void OddSizesWithDense()
        => AssertMatchesReference<Lstm37To50Dense13, Lstm37To50Dense13.State>(new ReferenceNetwork(37, 2, (ReferenceKind.Lstm, 50), (ReferenceKind.Dense, 13)), steps: 20, tolerance: 1e-5);

    [Fact]
    public void EveryKindStackedOnSmallOddSizes()
        => AssertMatchesReference<EveryKindStacked, EveryKindStacked.State>(
            new ReferenceNetwork(7, 3, (ReferenceKind.RnnRelu, 9), (ReferenceKind.GruResetBefore, 3), (ReferenceKind.GruResetAfter, 5), (ReferenceKind.Lstm, 2)),
            steps: 30,
            tolerance: 1e-5);

    [Fact]
    public void Lstm1024() => AssertMatchesReference<Lstm1024, Lstm1024.State>(new ReferenceNetwork(13, 4, (ReferenceKind.Lstm, 1024)), steps: 4, tolerance: 1e-4);

    [Fact]
    public void Gru1024() => AssertMatchesReference<Gru1024, Gru1024.State>(new ReferenceNetwork(3, 5, (ReferenceKind.GruResetAfter, 1024)), steps: 4, tolerance: 1e-4);

    [Fact]
    public void ResetBeforeGru1024()
        => AssertMatchesReference<ResetBeforeGru1024, ResetBeforeGru1024.State>(new ReferenceNetwork(50, 6, (ReferenceKind.GruResetBefore, 1024)), steps: 4, tolerance: 1e-4);

    [Fact]
    public void Rnn1024WithDense1024()
        => AssertMatchesReference<Rnn1024Dense1024, Rnn1024Dense1024.State>(new ReferenceNetwork(1024, 7, (ReferenceKind.RnnTanh, 1024), (ReferenceKind.Dense, 1024)), steps: 4, tolerance: 1e-4);

    private void AssertMatchesReference<TModel, TState>(ReferenceNetwork reference, int steps, double tolerance)
        where TModel : IRecurrentModel<TState>, new()
        where TState : struct
    {
        var model = new TModel();
        Assert.Equal(reference.InputSize, model.InputSize);
        Assert.Equal(reference.OutputSize, model.OutputSize);
        model.LoadPyTorch(reference.ToStateDict(), reference.ModuleNames);

        var random = new Random(steps);
        var inputs = new float[steps * model.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 4) - 2);
        }

        float[] expected = Array.ConvertAll(reference.Forward(inputs), value => (float)value);
        var actual = new float[expected.Length];
        var state = default(TState);
        model.Forward(inputs, ref state, actual);

        double error = ParityAssert.MaxAbsError(expected, actual, tolerance, typeof(TModel).Name);
        output.WriteLine($"{typeof(TModel).Name}: max abs error {error:E2} over {steps} steps ({SimdPath.Describe()})");
    }
}
