using System;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// Extreme inputs give finite outputs within the bounds each cell's math sets; NaN is documented to
/// propagate until the state is reset.
/// </summary>
public sealed class NumericRobustnessTests
{
    public static TheoryData<float> ExtremeValues => new() { 1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue };

    [Theory]
    [MemberData(nameof(ExtremeValues))]
    public void LstmStaysFiniteAndBounded(float extreme)
    {
        var model = new MixedStack();
        model.LoadPyTorch(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var state = default(MixedStack.State);
        var output = new float[MixedStack.OutputSize];
        for (int step = 0; step < 50; step++)
        {
            model.Step(Inputs(MixedStack.InputSize, extreme, step), ref state, output);

            // The sigmoid head bounds the outputs; every recurrent h is bounded by tanh; c grows by at most 1 a step.
            Assert.All(output, value => Assert.InRange(value, 0f, 1f));
            Assert.All(state.Layer0Hidden.ToArray(), value => Assert.InRange(value, -1f, 1f));
            Assert.All(state.Layer0Cell.ToArray(), value => Assert.InRange(value, -(step + 1f), step + 1f));
            Assert.All(state.Layer1Hidden.ToArray(), value => Assert.InRange(value, -1f, 1f));
            Assert.All(state.Layer2Hidden.ToArray(), value => Assert.InRange(value, -1f, 1f));
        }
    }

    [Theory]
    [MemberData(nameof(ExtremeValues))]
    public void ResetBeforeGruStaysFiniteAndBounded(float extreme)
    {
        var model = new ResetBeforeGruDense();
        model.LoadPyTorch(Fixture.PathOf("gru_rb_stack_dense.weights.safetensors"));
        var state = default(ResetBeforeGruDense.State);
        var output = new float[ResetBeforeGruDense.OutputSize];
        for (int step = 0; step < 50; step++)
        {
            model.Step(Inputs(ResetBeforeGruDense.InputSize, extreme, step), ref state, output);

            // h is a convex mix of tanh and the previous h, so |h| ≤ 1; the identity head is then bounded by its weights.
            Assert.All(state.Layer0Hidden.ToArray(), value => Assert.InRange(value, -1f, 1f));
            Assert.All(output, value => Assert.True(float.IsFinite(value)));
        }
    }

    [Theory]
    [MemberData(nameof(ExtremeValues))]
    public void ReluRnnSaturatesInsteadOfOverflowing(float extreme)
    {
        var model = new ReluDenseHead();
        model.LoadPyTorch(Fixture.PathOf("dense_relu_head.weights.safetensors"));
        var state = default(ReluDenseHead.State);
        var output = new float[ReluDenseHead.OutputSize];
        for (int step = 0; step < 200; step++)
        {
            model.Step(Inputs(ReluDenseHead.InputSize, extreme, step), ref state, output);

            Assert.All(state.Layer0Hidden.ToArray(), value => Assert.InRange(value, 0f, Numerics.Saturation.Limit));
            Assert.All(output, value => Assert.InRange(value, 0f, float.MaxValue));
        }
    }

    [Fact]
    public void NaNPropagatesUntilTheStateIsReset()
    {
        var model = new Gru5To37();
        model.LoadPyTorch(Fixture.PathOf("gru_5_37.weights.safetensors"));
        var state = default(Gru5To37.State);
        var output = new float[Gru5To37.OutputSize];
        var input = new float[Gru5To37.InputSize];

        input[2] = float.NaN;
        model.Step(input, ref state, output);
        Assert.All(output, value => Assert.True(float.IsNaN(value)));

        input[2] = 0.5f;
        model.Step(input, ref state, output);
        Assert.All(output, value => Assert.True(float.IsNaN(value)));

        state.Reset();
        model.Step(input, ref state, output);
        Assert.All(output, value => Assert.True(float.IsFinite(value)));
    }

    private static float[] Inputs(int size, float extreme, int step)
    {
        // Alternate the sign per feature and step, so that opposite infinities meet in one dot product.
        var inputs = new float[size];
        for (int i = 0; i < size; i++)
        {
            inputs[i] = ((i + step) % 2 == 0) ? extreme : -extreme;
        }

        return inputs;
    }
}
