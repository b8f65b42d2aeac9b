using System;
using System.Runtime.InteropServices;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// The batched <c>Step(inputs, states, outputs)</c> and <c>Forward(inputs, states, outputs)</c>: every stream of a
/// batch gets, to the bit, what its own single-stream call gives it, on whichever SIMD path this process runs;
/// wrong lengths throw before anything is read or written; steady state allocates nothing.
/// </summary>
public sealed class BatchedStreamsTests
{
    public static readonly TheoryData<int> Batches = new() { 1, 2, 3, 5, 8, 17, 64 };

    [Theory]
    [MemberData(nameof(Batches))]
    public void Lstm(int streams) => AssertStreamsMatch<Lstm8To32, Lstm8To32.State, Lstm8To32.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void ResetAfterGru(int streams) => AssertStreamsMatch<Gru5To37, Gru5To37.State, Gru5To37.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void ResetAfterGruWide(int streams) => AssertStreamsMatch<Gru16To256, Gru16To256.State, Gru16To256.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void ResetBeforeGru(int streams) => AssertStreamsMatch<ResetBeforeGru8To130, ResetBeforeGru8To130.State, ResetBeforeGru8To130.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void Rnn(int streams) => AssertStreamsMatch<RnnTanh4To50, RnnTanh4To50.State, RnnTanh4To50.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void PeepholeLstm(int streams) => AssertStreamsMatch<PeepholeLstm8To40, PeepholeLstm8To40.State, PeepholeLstm8To40.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void PeepholeLstmStack(int streams) => AssertStreamsMatch<PeepholeLstmStackDense, PeepholeLstmStackDense.State, PeepholeLstmStackDense.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void StackedWithDenseHead(int streams) => AssertStreamsMatch<MixedStack, MixedStack.State, MixedStack.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void EveryKindStacked(int streams) => AssertStreamsMatch<EveryKindStacked, EveryKindStacked.State, EveryKindStacked.Trace>(streams);

    [Theory]
    [MemberData(nameof(Batches))]
    public void ProjectedLstm(int streams) => AssertStreamsMatch<ProjectedLstmWide, ProjectedLstmWide.State, ProjectedLstmWide.Trace>(streams);

    [Fact]
    public void NoStreamsIsNothingToDo()
    {
        var model = new Lstm8To32();
        model.Step(ReadOnlySpan<float>.Empty, Span<Lstm8To32.State>.Empty, Span<float>.Empty);
        model.Forward(ReadOnlySpan<float>.Empty, Span<Lstm8To32.State>.Empty, Span<float>.Empty);
        var states = new Lstm8To32.State[3];
        model.Forward(ReadOnlySpan<float>.Empty, states, Span<float>.Empty);
        Assert.Throws<ArgumentException>("inputs", () => model.Forward(new float[8], Span<Lstm8To32.State>.Empty, Span<float>.Empty));
        Assert.Throws<ArgumentException>("outputs", () => model.Forward(ReadOnlySpan<float>.Empty, Span<Lstm8To32.State>.Empty, new float[1]));
    }

    [Theory]
    [InlineData(3 * MixedStack.InputSize - 1, 3 * MixedStack.OutputSize, "inputs")]
    [InlineData(3 * MixedStack.InputSize + 1, 3 * MixedStack.OutputSize, "inputs")]
    [InlineData(2 * MixedStack.InputSize, 2 * MixedStack.OutputSize, "inputs")]
    [InlineData(3 * MixedStack.InputSize, 3 * MixedStack.OutputSize - 1, "outputs")]
    [InlineData(3 * MixedStack.InputSize, 3 * MixedStack.OutputSize + 1, "outputs")]
    public void StepRejectsWrongLengthsBeforeTouchingAnything(int inputLength, int outputLength, string parameter)
    {
        var model = new MixedStack();
        model.Initialize(InitializationScheme.PyTorch, 3);
        var states = new MixedStack.State[3];
        float[] inputs = Filled(inputLength, 0.25f);
        float[] outputs = Filled(outputLength, 42f);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => model.Step(inputs, states, outputs));

        Assert.Equal(parameter, exception.ParamName);
        AssertUntouched(states, outputs);
    }

    [Theory]
    [InlineData(3 * 4 * MixedStack.InputSize + 1, 3 * 4 * MixedStack.OutputSize, "inputs")]
    [InlineData((3 * 4 * MixedStack.InputSize) + MixedStack.InputSize, 3 * 4 * MixedStack.OutputSize, "inputs")]
    [InlineData(3 * 4 * MixedStack.InputSize, 3 * 4 * MixedStack.OutputSize - 1, "outputs")]
    [InlineData(3 * 4 * MixedStack.InputSize, 3 * 5 * MixedStack.OutputSize, "outputs")]
    [InlineData(3 * 4 * MixedStack.InputSize, 4 * MixedStack.OutputSize, "outputs")]
    public void ForwardRejectsWrongLengthsBeforeTouchingAnything(int inputLength, int outputLength, string parameter)
    {
        var model = new MixedStack();
        model.Initialize(InitializationScheme.PyTorch, 3);
        var states = new MixedStack.State[3];
        float[] inputs = Filled(inputLength, 0.25f);
        float[] outputs = Filled(outputLength, 42f);

        ArgumentException exception = Assert.Throws<ArgumentException>(() => model.Forward(inputs, states, outputs));

        Assert.Equal(parameter, exception.ParamName);
        AssertUntouched(states, outputs);
    }

    [Fact]
    public void BatchedStepAndForwardAllocateNothing()
    {
        const int Streams = 17;
        const int Steps = 20;
        var model = new MixedStack();
        model.Initialize(InitializationScheme.PyTorch, 5);
        var states = new MixedStack.State[Streams];
        float[] inputs = Filled(Streams * MixedStack.InputSize, 0.5f);
        float[] outputs = new float[Streams * MixedStack.OutputSize];
        float[] sequences = Filled(Streams * Steps * MixedStack.InputSize, -0.25f);
        float[] sequenceOutputs = new float[Streams * Steps * MixedStack.OutputSize];

        // The same calls once before measuring: tiering and on-stack replacement can allocate on this thread.
        for (int tick = 0; tick < 2_000; tick++)
        {
            model.Step(inputs, states, outputs);
        }

        model.Forward(sequences, states, sequenceOutputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int tick = 0; tick < 2_000; tick++)
        {
            inputs[tick % inputs.Length] = MathF.Sin(tick);
            model.Step(inputs, states, outputs);
        }

        model.Forward(sequences, states, sequenceOutputs);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void AssertStreamsMatch<TModel, TState, TTrace>(int streams)
        where TModel : ITrainableModel<TState, TTrace>, new()
        where TState : unmanaged
        where TTrace : class
    {
        const int Steps = 7;
        var model = new TModel();
        model.Initialize(InitializationScheme.PyTorch, 11);
        int inputSize = model.InputSize;
        int outputSize = model.OutputSize;
        var random = new Random(streams);

        // Different starting states per stream, so that a mixed-up stream shows.
        var initial = new TState[streams];
        for (int stream = 0; stream < streams; stream++)
        {
            float[] warmup = Random(random, (1 + (stream % 3)) * inputSize);
            model.Forward(warmup, ref initial[stream], new float[warmup.Length / inputSize * outputSize]);
        }

        // [B, T, In]; one saturating input, which the kernels must clamp as the single-stream ones do.
        float[] sequences = Random(random, streams * Steps * inputSize);
        sequences[^1] = float.PositiveInfinity;

        // Step: one batched call per step against B single-stream calls.
        TState[] batched = (TState[])initial.Clone();
        TState[] single = (TState[])initial.Clone();
        float[] row = new float[streams * inputSize];
        float[] batchedOutputs = new float[streams * outputSize];
        float[] singleOutputs = new float[streams * outputSize];
        for (int step = 0; step < Steps; step++)
        {
            for (int stream = 0; stream < streams; stream++)
            {
                sequences.AsSpan(((stream * Steps) + step) * inputSize, inputSize).CopyTo(row.AsSpan(stream * inputSize));
            }

            model.Step(row, batched, batchedOutputs);
            for (int stream = 0; stream < streams; stream++)
            {
                model.Step(row.AsSpan(stream * inputSize, inputSize), ref single[stream], singleOutputs.AsSpan(stream * outputSize, outputSize));
            }

            Assert.True(Bits(batchedOutputs).SequenceEqual(Bits(singleOutputs)), $"{typeof(TModel).Name}, B = {streams}, step {step}: batched Step's outputs differ from Step's.");
        }

        Assert.True(StateBytes(batched).SequenceEqual(StateBytes(single)), $"{typeof(TModel).Name}, B = {streams}: the states after batched Step differ.");

        // Forward: one batched call over [B, T, In] against B single-stream Forwards.
        TState[] batchedForward = (TState[])initial.Clone();
        TState[] singleForward = (TState[])initial.Clone();
        float[] batchedSequenceOutputs = new float[streams * Steps * outputSize];
        float[] singleSequenceOutputs = new float[streams * Steps * outputSize];
        model.Forward(sequences, batchedForward, batchedSequenceOutputs);
        for (int stream = 0; stream < streams; stream++)
        {
            model.Forward(sequences.AsSpan(stream * Steps * inputSize, Steps * inputSize), ref singleForward[stream], singleSequenceOutputs.AsSpan(stream * Steps * outputSize, Steps * outputSize));
        }

        Assert.True(Bits(batchedSequenceOutputs).SequenceEqual(Bits(singleSequenceOutputs)), $"{typeof(TModel).Name}, B = {streams}: batched Forward's outputs differ from Forward's.");
        Assert.True(StateBytes(batchedForward).SequenceEqual(StateBytes(singleForward)), $"{typeof(TModel).Name}, B = {streams}: the states after batched Forward differ.");

        Assert.True(batchedSequenceOutputs.AsSpan().IndexOfAnyExcept(0f) >= 0, "The outputs are all zero: the comparison proves nothing.");
        Assert.True(Array.TrueForAll(batchedSequenceOutputs, float.IsFinite), "An output is not finite: the comparison proves less than it should.");
    }

    private static float[] Random(Random random, int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return values;
    }

    private static float[] Filled(int count, float value)
    {
        float[] values = new float[count];
        values.AsSpan().Fill(value);
        return values;
    }

    private static void AssertUntouched(MixedStack.State[] states, float[] outputs)
    {
        Assert.True(StateBytes(states).IndexOfAnyExcept((byte)0) < 0, "A state changed although the call threw.");
        Assert.True(outputs.AsSpan().IndexOfAnyExcept(42f) < 0, "An output changed although the call threw.");
    }

    private static ReadOnlySpan<int> Bits(float[] values) => MemoryMarshal.Cast<float, int>(values);

    private static ReadOnlySpan<byte> StateBytes<TState>(TState[] states)
        where TState : unmanaged
        => MemoryMarshal.AsBytes(states.AsSpan());
}
