using System;
using System.Runtime.InteropServices;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// <c>Forward</c> computes the first layer's input projection (when it has at least 8 features) a chunk of steps ahead and several steps
/// per weight load; <c>Step</c> computes it inside each step. The same additions happen in the same order
/// either way, so the two must agree to the bit, across chunk boundaries and with saturated inputs.
/// </summary>
public sealed class ForwardMatchesStepTests
{
    // 1–5 cover the 3-step tiles and the one-step remainder; the others cross chunks of every model below.
    public static readonly TheoryData<int> Lengths = new() { 1, 2, 3, 4, 5, 47, 48, 49, 64, 65, 97, 200 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Lstm(int steps) => AssertSame<Lstm8To32, Lstm8To32.State, Lstm8To32.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LstmOddSize(int steps) => AssertSame<LstmCell3To13, LstmCell3To13.State, LstmCell3To13.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ResetAfterGru(int steps) => AssertSame<Gru5To37, Gru5To37.State, Gru5To37.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ResetAfterGruWide(int steps) => AssertSame<Gru16To256, Gru16To256.State, Gru16To256.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ResetBeforeGru(int steps) => AssertSame<ResetBeforeGru8To130, ResetBeforeGru8To130.State, ResetBeforeGru8To130.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RnnTanh(int steps) => AssertSame<RnnTanh4To50, RnnTanh4To50.State, RnnTanh4To50.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RnnReluWithDenseHead(int steps) => AssertSame<ReluDenseHead, ReluDenseHead.State, ReluDenseHead.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MixedStack(int steps) => AssertSame<MixedStack, MixedStack.State, MixedStack.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void StackedGru(int steps) => AssertSame<StackedGruDense, StackedGruDense.State, StackedGruDense.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PeepholeLstm(int steps) => AssertSame<PeepholeLstm8To40, PeepholeLstm8To40.State, PeepholeLstm8To40.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PeepholeLstmStack(int steps) => AssertSame<PeepholeLstmStackDense, PeepholeLstmStackDense.State, PeepholeLstmStackDense.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ProjectedLstm(int steps) => AssertSame<ProjectedLstm8To40, ProjectedLstm8To40.State, ProjectedLstm8To40.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ProjectedLstmStack(int steps) => AssertSame<ProjectedLstmStackDense, ProjectedLstmStackDense.State, ProjectedLstmStackDense.Trace>(steps);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void LstmTooWideToHoist(int steps) => AssertSame<Lstm1024, Lstm1024.State, Lstm1024.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LstmWithDenseHead(int steps) => AssertSame<Lstm37To50Dense13, Lstm37To50Dense13.State, Lstm37To50Dense13.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RnnFirstStack(int steps) => AssertSame<HoistedRnnStack, HoistedRnnStack.State, HoistedRnnStack.Trace>(steps);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ResetBeforeGruFirstStack(int steps) => AssertSame<HoistedResetBeforeStack, HoistedResetBeforeStack.State, HoistedResetBeforeStack.Trace>(steps);

    private static void AssertSame<TModel, TState, TTrace>(int steps)
        where TModel : ITrainableModel<TState, TTrace>, new()
        where TState : unmanaged
        where TTrace : class
    {
        var model = new TModel();
        model.Initialize(InitializationScheme.PyTorch, 7);
        var random = new Random(steps);
        float[] inputs = new float[steps * model.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((random.NextDouble() * 6) - 3);
        }

        // Inputs that only make sense after saturation, at both ends of the range.
        inputs[0] = float.PositiveInfinity;
        inputs[^1] = -1e38f;

        // A state that is not the zero state, so the recurrent half matters from the first step.
        TState initial = default;
        float[] warmup = new float[4 * model.InputSize];
        warmup.AsSpan().Fill(0.5f);
        model.Forward(warmup, ref initial, new float[4 * model.OutputSize]);

        TState forwardState = initial;
        float[] forwarded = new float[steps * model.OutputSize];
        model.Forward(inputs, ref forwardState, forwarded);

        TState stepState = initial;
        float[] stepped = new float[steps * model.OutputSize];
        for (int step = 0; step < steps; step++)
        {
            model.Step(inputs.AsSpan(step * model.InputSize, model.InputSize), ref stepState, stepped.AsSpan(step * model.OutputSize, model.OutputSize));
        }

        // The recording Forward that training runs takes the same path.
        TState recordState = initial;
        float[] recorded = new float[steps * model.OutputSize];
        model.Forward(inputs, ref recordState, recorded, model.CreateTrace(steps));

        Assert.True(Bits(stepped).SequenceEqual(Bits(forwarded)), $"{typeof(TModel).Name}, T = {steps}: Forward's outputs differ from Step's.");
        Assert.True(Bits(stepped).SequenceEqual(Bits(recorded)), $"{typeof(TModel).Name}, T = {steps}: the recording Forward's outputs differ from Step's.");

        // Every layer's h and c, padding included.
        Assert.True(StateBytes(ref stepState).SequenceEqual(StateBytes(ref forwardState)), $"{typeof(TModel).Name}, T = {steps}: the state after Forward differs.");
        Assert.True(StateBytes(ref stepState).SequenceEqual(StateBytes(ref recordState)), $"{typeof(TModel).Name}, T = {steps}: the state after the recording Forward differs.");

        Assert.True(stepped.AsSpan().IndexOfAnyExcept(0f) >= 0, "The outputs are all zero: the comparison proves nothing.");
        Assert.True(Array.TrueForAll(stepped, float.IsFinite), "An output is not finite: the comparison proves less than it should.");
    }

    private static ReadOnlySpan<int> Bits(float[] values) => MemoryMarshal.Cast<float, int>(values);

    private static ReadOnlySpan<byte> StateBytes<TState>(ref TState state)
        where TState : unmanaged
        => MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref state, 1));
}

[RecurrentModel(inputSize: 12)]
[Rnn(40)]
[Gru(9)]
[Dense(3)]
public partial class HoistedRnnStack;

[RecurrentModel(inputSize: 9)]
[Gru(21, ResetAfter = false)]
[Lstm(5)]
public partial class HoistedResetBeforeStack;
