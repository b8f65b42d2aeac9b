using System;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>Step and Forward allocate nothing, on whichever SIMD path this process runs.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void TenThousandStepsAllocateNothing()
    {
        var model = new MixedStack();
        model.LoadPyTorch(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var input = new float[MixedStack.InputSize];
        var output = new float[MixedStack.OutputSize];
        var state = default(MixedStack.State);

        // The same loop once before measuring: JIT tiering and on-stack replacement of the loop can
        // allocate on this thread, and they are not the kernel's doing.
        for (int step = 0; step < 10_000; step++)
        {
            model.Step(input, ref state, output);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 10_000; step++)
        {
            input[step % MixedStack.InputSize] = MathF.Sin(step);
            model.Step(input, ref state, output);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ForwardOverThousandStepsAllocatesNothing()
    {
        var model = new Lstm1To128();
        model.LoadPyTorch(Fixture.PathOf("lstm_1_128.weights.safetensors"));
        var inputs = new float[1_000 * Lstm1To128.InputSize];
        var outputs = new float[1_000 * Lstm1To128.OutputSize];
        for (int t = 0; t < inputs.Length; t++)
        {
            inputs[t] = MathF.Cos(t * 0.1f);
        }

        var state = default(Lstm1To128.State);

        // A full-length call first: on-stack replacement of Forward's loop happens during the first long
        // call and can allocate on this thread; it is the JIT's doing, not the kernel's.
        model.Forward(inputs, ref state, outputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        model.Forward(inputs, ref state, outputs);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void PeepholeLstmStepAndForwardAllocateNothing()
        => AssertStepAndForwardAllocateNothing<PeepholeLstm8To40, PeepholeLstm8To40.State>("lstm_ph_8_40");

    [Fact]
    public void ProjectedLstmStepAndForwardAllocateNothing()
        => AssertStepAndForwardAllocateNothing<ProjectedLstm8To40, ProjectedLstm8To40.State>("lstm_proj_8_40_12");

    private static void AssertStepAndForwardAllocateNothing<TModel, TState>(string fixture)
        where TModel : IRecurrentModel<TState>, new()
        where TState : struct
    {
        var model = new TModel();
        model.LoadPyTorch(SafeTensorsFile.Read(Fixture.PathOf($"{fixture}.weights.safetensors")), "layers.0");
        var inputs = new float[500 * model.InputSize];
        var outputs = new float[500 * model.OutputSize];
        for (int t = 0; t < inputs.Length; t++)
        {
            inputs[t] = MathF.Cos(t * 0.1f);
        }

        var state = default(TState);
        ReadOnlySpan<float> input = inputs.AsSpan(0, model.InputSize);
        Span<float> output = outputs.AsSpan(0, model.OutputSize);

        // Both once before measuring: tiering and on-stack replacement are the JIT's allocations, not the kernels'.
        for (int step = 0; step < 10_000; step++)
        {
            model.Step(input, ref state, output);
        }

        model.Forward(inputs, ref state, outputs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 10_000; step++)
        {
            model.Step(input, ref state, output);
        }

        model.Forward(inputs, ref state, outputs);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void BidirectionalForwardAllocatesNothing()
    {
        // Its sequences between layers come from the shared array pool: a warmed-up Forward rents and returns them.
        var model = new BidirectionalGruStackDense();
        model.LoadPyTorch(Fixture.PathOf("bigru_stack_dense.weights.safetensors"));
        var inputs = new float[500 * BidirectionalGruStackDense.InputSize];
        var outputs = new float[500 * BidirectionalGruStackDense.OutputSize];
        for (int t = 0; t < inputs.Length; t++)
        {
            inputs[t] = MathF.Cos(t * 0.1f);
        }

        var state = default(BidirectionalGruStackDense.State);
        var states = new BidirectionalGruStackDense.State[2];
        var batchInputs = new float[2 * inputs.Length];
        var batchOutputs = new float[2 * outputs.Length];

        // Once before measuring: tiering and on-stack replacement are the JIT's allocations, not the kernels'.
        for (int call = 0; call < 3; call++)
        {
            model.Forward(inputs, ref state, outputs);
            model.Forward(batchInputs, states, batchOutputs);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int call = 0; call < 10; call++)
        {
            model.Forward(inputs, ref state, outputs);
            model.Forward(batchInputs, states, batchOutputs);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
