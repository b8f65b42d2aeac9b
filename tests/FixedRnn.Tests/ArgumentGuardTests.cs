using System;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>Wrong span lengths throw <see cref="ArgumentException"/> naming the parameter, before any memory is touched.</summary>
public sealed class ArgumentGuardTests
{
    private readonly StackedGruDense _model = CreateModel();

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    public void StepRejectsWrongInputLength(int length)
        => AssertRejected("input", (ref StackedGruDense.State state, Span<float> output) => _model.Step(new float[length], ref state, output), StackedGruDense.OutputSize);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void StepRejectsWrongOutputLength(int length)
        => AssertRejected("output", (ref StackedGruDense.State state, Span<float> output) => _model.Step(new float[StackedGruDense.InputSize], ref state, output), length);

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    public void ForwardRejectsPartialSteps(int length)
        => AssertRejected("inputs", (ref StackedGruDense.State state, Span<float> output) => _model.Forward(new float[length], ref state, output), 4);

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 6)]
    [InlineData(0, 2)]
    public void ForwardRejectsMismatchedStepCounts(int inputSteps, int outputFloats)
        => AssertRejected("outputs", (ref StackedGruDense.State state, Span<float> output) => _model.Forward(new float[inputSteps * StackedGruDense.InputSize], ref state, output), outputFloats);

    [Fact]
    public void ForwardAcceptsAnEmptySequence()
    {
        var state = default(StackedGruDense.State);
        _model.Forward(ReadOnlySpan<float>.Empty, ref state, Span<float>.Empty);
        Assert.All(state.Layer0Hidden.ToArray(), value => Assert.Equal(0f, value));
    }

    private delegate void Call(ref StackedGruDense.State state, Span<float> output);

    private static void AssertRejected(string parameter, Call call, int outputLength)
    {
        var state = default(StackedGruDense.State);
        state.Layer0Hidden.Fill(0.25f);
        StackedGruDense.State before = state;

        // The output sits inside a larger buffer filled with a sentinel: nothing may be written anywhere.
        var buffer = new float[outputLength + 16];
        buffer.AsSpan().Fill(float.NaN);

        ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() => call(ref state, buffer.AsSpan(8, outputLength)));

        Assert.Equal(parameter, exception.ParamName);
        Assert.All(buffer, value => Assert.True(float.IsNaN(value)));
        Assert.Equal(before.Layer0Hidden.ToArray(), state.Layer0Hidden.ToArray());
        Assert.Equal(before.Layer1Hidden.ToArray(), state.Layer1Hidden.ToArray());
    }

    private static StackedGruDense CreateModel()
    {
        var model = new StackedGruDense();
        model.LoadPyTorch(Fixture.PathOf("stack_gru_dense.weights.safetensors"));
        return model;
    }
}
