using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace FixedRnn.Demo;

/// <summary>
/// Times <c>Step</c> one tick at a time, the way a trading loop calls it: a new input arrives, the
/// model steps its carried state, the forecast is read. Percentiles come from every individual tick,
/// not from an average, because a trading loop budgets for its slow ticks.
/// </summary>
public static class LatencyMeter
{
    /// <summary>Timed ticks per model: enough that the 99.9th percentile rests on two hundred ticks.</summary>
    public const int DefaultTicks = 200_000;

    /// <summary>Ticks per call of the timed loop.</summary>
    private const int Chunk = 1_000;

    /// <summary>
    /// The tiered JIT recompiles a hot method with full optimization and profile-guided devirtualization
    /// only after it has been called a while and the process has been quiet for 100 ms, so warm-up runs
    /// for a fixed time, not a fixed count: what is timed is then the code a long-running loop runs.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Replays <paramref name="inputs"/> (<c>InputSize</c> floats per tick) through <paramref name="model"/>
    /// until <paramref name="ticks"/> ticks have been timed, carrying the state across replays.
    /// </summary>
    public static LatencyStats Measure<TModel, TState>(TModel model, ReadOnlySpan<float> inputs, int ticks = DefaultTicks)
        where TModel : IRecurrentModel<TState>
        where TState : struct
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticks);
        if (inputs.IsEmpty || inputs.Length % model.InputSize != 0)
        {
            throw new ArgumentException("Expected a non-empty series of whole ticks.", nameof(inputs));
        }

        // Everything the timed loop touches is allocated here, so any byte counted below is the model's.
        var elapsed = new long[ticks];
        Span<float> output = stackalloc float[model.OutputSize];
        var state = default(TState);
        int position = 0;

        // Warm up through the very method that is timed afterwards, so that it is the tiered-up one.
        Span<long> scratch = elapsed.AsSpan(0, Math.Min(Chunk, ticks));
        long warmUpEnd = Stopwatch.GetTimestamp() + (long)(WarmUp.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUpEnd)
        {
            TimeTicks<TModel, TState>(model, inputs, ref state, ref position, output, scratch);
        }

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        for (int offset = 0; offset < ticks; offset += Chunk)
        {
            TimeTicks<TModel, TState>(model, inputs, ref state, ref position, output, elapsed.AsSpan(offset, Math.Min(Chunk, ticks - offset)));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Array.Sort(elapsed);
        return new LatencyStats(
            ticks,
            ToNanoseconds(Percentile(elapsed, 0.50)),
            ToNanoseconds(Percentile(elapsed, 0.99)),
            ToNanoseconds(Percentile(elapsed, 0.999)),
            ToNanoseconds(elapsed[^1]),
            allocated);
    }

    /// <summary>
    /// The cost of the two timestamps around each Step, measured with nothing between them. It is
    /// included in every tick's figure; the report states it rather than subtracting an estimate.
    /// </summary>
    public static double TimerOverheadNanoseconds()
    {
        var elapsed = new long[100_000];
        for (int i = 0; i < elapsed.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            elapsed[i] = Stopwatch.GetTimestamp() - start;
        }

        Array.Sort(elapsed);
        return ToNanoseconds(Percentile(elapsed, 0.50));
    }

    // Not inlined into the callers, so that warm-up and timing run one and the same compiled loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TimeTicks<TModel, TState>(TModel model, ReadOnlySpan<float> inputs, ref TState state, ref int position, Span<float> output, Span<long> elapsed)
        where TModel : IRecurrentModel<TState>
        where TState : struct
    {
        int inputSize = model.InputSize;
        int length = inputs.Length / inputSize;
        for (int i = 0; i < elapsed.Length; i++)
        {
            ReadOnlySpan<float> tick = inputs.Slice(position * inputSize, inputSize);
            long start = Stopwatch.GetTimestamp();
            model.Step(tick, ref state, output);
            elapsed[i] = Stopwatch.GetTimestamp() - start;
            position = position + 1 == length ? 0 : position + 1;
        }
    }

    private static long Percentile(long[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    private static double ToNanoseconds(long timestampTicks) => timestampTicks * 1e9 / Stopwatch.Frequency;
}
