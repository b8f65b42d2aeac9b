using System;
using System.Runtime.InteropServices;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// The batched training entry points: the recording <c>Forward</c> of B sequences and the batch <c>Backward</c>
/// must leave exactly what B single-sequence calls leave, since the weight-gradient tiles only change where they are
/// loaded and stored, not the order of the additions.
/// </summary>
public class BatchBackwardTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(8, 1)]
    [InlineData(17, 4)]
    public void EveryKindStack(int batch, int steps)
        => BitwiseAsSingleSequences<SmallEveryKindStack, SmallEveryKindStack.State, SmallEveryKindStack.Trace>(batch, steps);

    [Theory]
    [InlineData(5, 7)]
    public void ResetBeforeGru(int batch, int steps)
        => BitwiseAsSingleSequences<SmallResetBeforeGru, SmallResetBeforeGru.State, SmallResetBeforeGru.Trace>(batch, steps);

    [Theory]
    [InlineData(4, 6)]
    public void PeepholeLstmStack(int batch, int steps)
        => BitwiseAsSingleSequences<SmallPeepholeLstmStack, SmallPeepholeLstmStack.State, SmallPeepholeLstmStack.Trace>(batch, steps);

    [Theory]
    [InlineData(4, 6)]
    public void ProjectedLstmStack(int batch, int steps)
        => BitwiseAsSingleSequences<SmallProjectedLstmStack, SmallProjectedLstmStack.State, SmallProjectedLstmStack.Trace>(batch, steps);

    [Theory]
    [InlineData(3, 5)]
    public void BidirectionalStack(int batch, int steps)
        => BitwiseAsSingleSequences<SmallBidirectionalStack, SmallBidirectionalStack.State, SmallBidirectionalStack.Trace>(batch, steps);

    [Theory]
    [InlineData(32, 10)]
    public void LstmDenseSeveralBlocks(int batch, int steps)
        => BitwiseAsSingleSequences<TrainingLstmDense, TrainingLstmDense.State, TrainingLstmDense.Trace>(batch, steps);

    [Fact]
    public void TracesOfDifferentLengthsAreRefusedBeforeAnythingIsWritten()
    {
        var model = new SmallEveryKindStack();
        model.Initialize(InitializationScheme.PyTorch, seed: 3);
        SmallEveryKindStack.Trace[] traces = [new(4), new(4)];
        SmallEveryKindStack.State[] states = new SmallEveryKindStack.State[1];
        model.Forward(new float[3 * SmallEveryKindStack.InputSize], ref states[0], new float[3 * SmallEveryKindStack.OutputSize], traces[0]);
        model.Forward(new float[2 * SmallEveryKindStack.InputSize], ref states[0], new float[2 * SmallEveryKindStack.OutputSize], traces[1]);
        float[] gradients = new float[SmallEveryKindStack.ParameterCount];

        ArgumentException error = Assert.Throws<ArgumentException>(() => model.Backward(traces, new float[5 * SmallEveryKindStack.OutputSize], gradients));
        Assert.Equal("traces", error.ParamName);
        Assert.Contains("traces[1] recorded 2 steps; traces[0] recorded 3", error.Message);
        Assert.All(gradients, value => Assert.Equal(0f, value));
    }

    [Fact]
    public void WrongOutputGradientLengthIsRefused()
    {
        var model = new SmallEveryKindStack();
        SmallEveryKindStack.Trace[] traces = [new(4), new(4)];
        SmallEveryKindStack.State[] states = new SmallEveryKindStack.State[2];
        model.Forward(new float[2 * 3 * SmallEveryKindStack.InputSize], states, new float[2 * 3 * SmallEveryKindStack.OutputSize], traces);

        Assert.Equal("outputGradients", Assert.Throws<ArgumentException>(() => model.Backward(traces, new float[(2 * 3 * SmallEveryKindStack.OutputSize) - 1], new float[SmallEveryKindStack.ParameterCount])).ParamName);
    }

    [Fact]
    public void RecordingForwardWantsOneTracePerStream()
    {
        var model = new SmallEveryKindStack();
        SmallEveryKindStack.State[] states = new SmallEveryKindStack.State[2];
        Assert.Equal("traces", Assert.Throws<ArgumentException>(() => model.Forward(new float[2 * SmallEveryKindStack.InputSize], states, new float[2 * SmallEveryKindStack.OutputSize], [new SmallEveryKindStack.Trace(1)])).ParamName);
        Assert.Equal("trace", Assert.Throws<ArgumentException>(() => model.Forward(new float[2 * 3 * SmallEveryKindStack.InputSize], states, new float[2 * 3 * SmallEveryKindStack.OutputSize], [new SmallEveryKindStack.Trace(3), new SmallEveryKindStack.Trace(2)])).ParamName);
    }

    private static void BitwiseAsSingleSequences<TModel, TState, TTrace>(int batch, int steps)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var random = new Random((batch * 131) + steps);
        var model = new TModel();
        RandomStateDict.Load<TModel, TState, TTrace>(model, random, 0.5f);
        float[] inputs = Random(random, batch * steps * model.InputSize);
        float[] outputGradients = Random(random, batch * steps * model.OutputSize);
        // Non-zero at the start, so that the batch Backward is seen to add rather than overwrite.
        float[] start = Random(random, model.Parameters.Length);

        // B single sequences, each from the zero state into its own trace, each Backward cut at both ends.
        int inputLength = steps * model.InputSize, outputLength = steps * model.OutputSize;
        float[] expectedOutputs = new float[batch * outputLength];
        float[] expectedGradients = (float[])start.Clone();
        TState[] expectedStates = new TState[batch];
        for (int b = 0; b < batch; b++)
        {
            TTrace trace = model.CreateTrace(steps);
            model.Forward(inputs.AsSpan(b * inputLength, inputLength), ref expectedStates[b], expectedOutputs.AsSpan(b * outputLength, outputLength), trace);
            TState stateGradient = default;
            model.Backward(trace, outputGradients.AsSpan(b * outputLength, outputLength), expectedGradients, Span<float>.Empty, ref stateGradient);
        }

        TTrace[] traces = new TTrace[batch];
        for (int b = 0; b < batch; b++)
        {
            traces[b] = model.CreateTrace(steps + 2);
        }

        float[] outputs = new float[batch * outputLength];
        float[] gradients = (float[])start.Clone();
        TState[] states = new TState[batch];
        model.Forward(inputs, states, outputs, traces);
        model.Backward(traces, outputGradients, gradients);

        Assert.Equal(expectedOutputs, outputs);
        Assert.Equal(MemoryMarshal.AsBytes(expectedStates.AsSpan()).ToArray(), MemoryMarshal.AsBytes(states.AsSpan()).ToArray());
        for (int i = 0; i < gradients.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(gradients[i]) != BitConverter.SingleToInt32Bits(expectedGradients[i]))
            {
                Assert.Fail($"Parameter gradient {i}: batch {gradients[i]:R}, single sequences {expectedGradients[i]:R}.");
            }
        }

        Assert.NotEqual(start, gradients);
    }

    private static float[] Random(Random random, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
