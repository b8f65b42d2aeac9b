using System;
using System.Runtime.InteropServices;
using Xunit;

namespace FixedRnn.Tests;

/// <summary><see cref="ParallelBatch{TModel, TState}"/> gives every stream exactly what one core's batched call gives it.</summary>
public sealed class ParallelBatchTests
{
    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 2)]
    [InlineData(64, 2)]
    [InlineData(257, 2)]
    [InlineData(5, 3)]
    [InlineData(17, 1)]
    public void StepAndForwardMatchOneCore(int streams, int workers)
    {
        const int Steps = 6;
        var model = new MixedStack();
        model.Initialize(InitializationScheme.PyTorch, 21);
        var random = new Random(streams);
        float[] sequences = new float[streams * Steps * MixedStack.InputSize];
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = (float)((random.NextDouble() * 4) - 2);
        }

        using var parallel = new ParallelBatch<MixedStack, MixedStack.State>(model, workers);
        Assert.Equal(workers, parallel.Workers);

        var oneCore = new MixedStack.State[streams];
        var cores = new MixedStack.State[streams];
        float[] expected = new float[streams * MixedStack.OutputSize];
        float[] actual = new float[streams * MixedStack.OutputSize];
        ReadOnlySpan<float> row = sequences.AsSpan(0, streams * MixedStack.InputSize);
        for (int tick = 0; tick < Steps; tick++)
        {
            model.Step(row, oneCore, expected);
            parallel.Step(row, cores, actual);
            Assert.True(Bits(expected).SequenceEqual(Bits(actual)), $"B = {streams}, {workers} workers, tick {tick}: Step's outputs differ.");
        }

        Assert.True(MemoryMarshal.AsBytes(oneCore.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(cores.AsSpan())), "The states after Step differ.");

        float[] expectedSequences = new float[streams * Steps * MixedStack.OutputSize];
        float[] actualSequences = new float[streams * Steps * MixedStack.OutputSize];
        model.Forward(sequences, oneCore, expectedSequences);
        parallel.Forward(sequences, cores, actualSequences);
        Assert.True(Bits(expectedSequences).SequenceEqual(Bits(actualSequences)), $"B = {streams}, {workers} workers: Forward's outputs differ.");
        Assert.True(MemoryMarshal.AsBytes(oneCore.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(cores.AsSpan())), "The states after Forward differ.");
        Assert.True(actualSequences.AsSpan().IndexOfAnyExcept(0f) >= 0, "The outputs are all zero: the comparison proves nothing.");
    }

    [Fact]
    public void WrongLengthsThrowBeforeAnyWorkerRuns()
    {
        var model = new Lstm8To32();
        using var parallel = new ParallelBatch<Lstm8To32, Lstm8To32.State>(model, 2);
        var states = new Lstm8To32.State[4];
        float[] outputs = new float[4 * Lstm8To32.OutputSize];
        outputs.AsSpan().Fill(42f);

        Assert.Throws<ArgumentException>("inputs", () => parallel.Step(new float[(4 * Lstm8To32.InputSize) - 1], states, outputs));
        Assert.Throws<ArgumentException>("outputs", () => parallel.Step(new float[4 * Lstm8To32.InputSize], states, new float[3]));
        Assert.Throws<ArgumentException>("inputs", () => parallel.Forward(new float[(4 * Lstm8To32.InputSize) + 1], states, outputs));
        Assert.Throws<ArgumentException>("outputs", () => parallel.Forward(new float[8 * Lstm8To32.InputSize], states, outputs));
        Assert.True(outputs.AsSpan().IndexOfAnyExcept(42f) < 0, "An output changed although the call threw.");
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelBatch<Lstm8To32, Lstm8To32.State>(model, 0));
    }

    [Fact]
    public void SteadyStateAllocatesNothing()
    {
        var model = new Lstm8To32();
        model.Initialize(InitializationScheme.PyTorch, 2);
        using var parallel = new ParallelBatch<Lstm8To32, Lstm8To32.State>(model, 2);
        var states = new Lstm8To32.State[64];
        float[] inputs = new float[64 * Lstm8To32.InputSize];
        float[] outputs = new float[64 * Lstm8To32.OutputSize];
        // Half a second of calls first: tiered compilation promotes the methods after a delay (and counting calls
        // can allocate on this thread), which is the JIT's doing, not the batch's.
        var warmup = System.Diagnostics.Stopwatch.StartNew();
        while (warmup.ElapsedMilliseconds < 500)
        {
            parallel.Step(inputs, states, outputs);
        }

        // The calling thread's allocations (the process-wide count would include other tests running in parallel).
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int tick = 0; tick < 500; tick++)
        {
            inputs[tick % inputs.Length] = MathF.Sin(tick);
            parallel.Step(inputs, states, outputs);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DisposedInstanceRefusesCalls()
    {
        var parallel = new ParallelBatch<Lstm8To32, Lstm8To32.State>(new Lstm8To32(), 2);
        parallel.Dispose();
        parallel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => parallel.Step(new float[Lstm8To32.InputSize], new Lstm8To32.State[1], new float[Lstm8To32.OutputSize]));
    }

    private static ReadOnlySpan<int> Bits(float[] values) => MemoryMarshal.Cast<float, int>(values);
}
