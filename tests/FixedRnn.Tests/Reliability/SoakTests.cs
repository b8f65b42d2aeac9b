using System;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// A long run of random inputs keeps the state finite, allocates nothing and triggers no collection.
/// CI runs 200,000 steps; <c>FIXEDRNN_SOAK_STEPS=10000000</c> runs the full 10^7-step soak.
/// </summary>
[Collection(nameof(SoakTests))]
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public void LongRunStaysFiniteWithoutAllocationOrCollection()
    {
        int steps = int.TryParse(Environment.GetEnvironmentVariable("FIXEDRNN_SOAK_STEPS"), out int configured) ? configured : 200_000;
        var model = new MixedStack();
        model.LoadPyTorch(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var random = new Random(1234);
        var inputs = new float[4096 * MixedStack.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            // Mostly ordinary values, with bursts of large ones, as a sensor or a price feed might send.
            inputs[i] = (float)((random.NextDouble() - 0.5) * (i % 97 == 0 ? 1e6 : 6));
        }

        var state = default(MixedStack.State);
        var result = new float[MixedStack.OutputSize];

        // A first pass through the same loop: JIT tiering and on-stack replacement can allocate on this thread.
        Run(model, inputs, ref state, result, 100_000);

        int collections = GC.CollectionCount(0);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Run(model, inputs, ref state, result, steps);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        collections = GC.CollectionCount(0) - collections;
        AssertFinite(ref state);
        output.WriteLine($"{steps:N0} steps: {allocated} bytes allocated, {collections} gen-0 collections.");
        Assert.Equal(0, allocated);
        Assert.Equal(0, collections);
    }

    private static void Run(MixedStack model, float[] inputs, ref MixedStack.State state, float[] result, int steps)
    {
        for (int step = 0; step < steps; step++)
        {
            model.Step(inputs.AsSpan(step % 4096 * MixedStack.InputSize, MixedStack.InputSize), ref state, result);
            if ((step & 0xFFFF) == 0)
            {
                AssertFinite(ref state);
            }
        }
    }

    /// <summary>Checks every state vector without allocating, so the check itself cannot spoil the measurement.</summary>
    private static void AssertFinite(ref MixedStack.State state)
    {
        if (!AllFinite(state.Layer0Hidden) || !AllFinite(state.Layer0Cell) || !AllFinite(state.Layer1Hidden) || !AllFinite(state.Layer2Hidden))
        {
            Assert.Fail("The state is no longer finite.");
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// Runs the soak alone, after the parallel tests: collections are counted process-wide, so another
/// test allocating at the same time would be blamed on the kernels.
/// </summary>
[CollectionDefinition(nameof(SoakTests), DisableParallelization = true)]
public sealed class SoakCollection;
