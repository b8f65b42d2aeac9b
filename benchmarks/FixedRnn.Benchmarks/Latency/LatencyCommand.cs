using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks.Latency;

/// <summary>
/// <c>latency --model lstm --input 8 --hidden 32 --steps 1000000</c>: times every one of N Steps of a
/// declared model with <see cref="Stopwatch.GetTimestamp"/> and prints the distribution (p50, p90, p99,
/// p99.9, p99.99, max) in nanoseconds, with the bytes allocated and the GCs that happened during the run.
/// With <c>--streams N</c> each sample is one tick: N streams advanced by one batched <c>Step</c> call (on
/// <c>--workers W</c> cores through <see cref="ParallelBatch{TModel, TState}"/> when W &gt; 1).
/// </summary>
public static class LatencyCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string Usage = "usage: latency [--model lstm|gru|gru-rb|rnn] [--input I] [--hidden H] [--steps N] [--warmup-ms MS] [--streams N [--workers W]]";

    public static int Run(ReadOnlySpan<string> args)
    {
        string model = "lstm";
        int input = 8, hidden = 32, steps = 1_000_000, warmupMilliseconds = 1000, streams = 0, workers = 1;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine(Usage);
                return 0;
            }

            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"'{name}' needs a value. {Usage}");
                return 2;
            }

            string value = args[++i];
            switch (name)
            {
                case "--model": model = value; break;
                case "--input": input = int.Parse(value, Invariant); break;
                case "--hidden": hidden = int.Parse(value, Invariant); break;
                case "--steps": steps = int.Parse(value, Invariant); break;
                case "--warmup-ms": warmupMilliseconds = int.Parse(value, Invariant); break;
                case "--streams": streams = int.Parse(value, Invariant); break;
                case "--workers": workers = int.Parse(value, Invariant); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{name}'. {Usage}");
                    return 2;
            }
        }

        FixedKernel kernel;
        try
        {
            kernel = ModelCatalog.Create(ModelCatalog.ParseKind(model), input, hidden);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine("Declared sizes (input x hidden): " + string.Join(", ", ModelCatalog.SizeNames()));
            return 2;
        }

        if (steps < 1)
        {
            Console.Error.WriteLine("--steps must be at least 1.");
            return 2;
        }

        if (streams < 0 || workers < 1)
        {
            Console.Error.WriteLine("--streams must be at least 1 and --workers at least 1.");
            return 2;
        }

        if (streams == 0)
        {
            Measure(kernel, steps, warmupMilliseconds);
            return 0;
        }

        using StreamBatch batch = kernel.CreateStreams(streams, workers);
        Measure(kernel, batch.Tick, streams, workers, steps, warmupMilliseconds);
        return 0;
    }

    public static void Measure(FixedKernel kernel, int steps, int warmupMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        Measure(kernel, kernel.Step, streams: 0, workers: 1, steps, warmupMilliseconds);
    }

    /// <summary>Times <paramref name="steps"/> calls of <paramref name="tick"/>: one Step, or one tick of <paramref name="streams"/> streams.</summary>
    private static void Measure(FixedKernel kernel, Action tick, int streams, int workers, int steps, int warmupMilliseconds)
    {
        long[] samples = new long[steps];

        // Warm up until the kernel has been through tiered compilation (tier 0, then the optimized
        // tier-1 code compiled in the background), then settle the heap.
        long warmupEnd = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * warmupMilliseconds / 1000);
        long warmupSteps = 0;
        while (Stopwatch.GetTimestamp() < warmupEnd)
        {
            for (int i = 0; i < 100; i++)
            {
                tick();
            }

            warmupSteps += 100;
        }

        double timerOverhead = TimerOverheadNanoseconds();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocatedThread = GC.GetAllocatedBytesForCurrentThread();
        long allocatedTotal = GC.GetTotalAllocatedBytes(precise: true);
        TimeSpan pauses = GC.GetTotalPauseDuration();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < samples.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            tick();
            samples[i] = Stopwatch.GetTimestamp() - t0;
        }

        long end = Stopwatch.GetTimestamp();
        long threadBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedThread;
        long totalBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedTotal;
        TimeSpan pauseDuring = GC.GetTotalPauseDuration() - pauses;
        int collections0 = GC.CollectionCount(0) - gen0, collections1 = GC.CollectionCount(1) - gen1, collections2 = GC.CollectionCount(2) - gen2;

        Array.Sort(samples);
        double toNs = 1e9 / Stopwatch.Frequency;
        double Percentile(double p) => samples[Math.Min(samples.Length - 1, (int)Math.Ceiling(p * samples.Length) - 1)] * toNs;
        double mean = samples.Average() * toNs;
        long flops = ModelCatalog.FlopsPerStep(kernel.Kind, kernel.InputSize, kernel.HiddenSize);

        string what = streams == 0 ? "Step" : $"tick of {streams} streams (one batched Step{(workers > 1 ? $" on {workers} workers" : string.Empty)})";
        string unit = streams == 0 ? "steps" : "ticks";
        flops *= Math.Max(1, streams);
        Console.WriteLine(string.Create(Invariant, $"Latency of {ModelCatalog.ShortName(kernel.Kind)} {kernel.InputSize}->{kernel.HiddenSize} {what}: {steps:N0} timed {unit} after {warmupSteps:N0} warm-up {unit} ({warmupMilliseconds} ms); Stopwatch resolution {toNs:F1} ns, back-to-back GetTimestamp pair ≈ {timerOverhead:F0} ns (included in every sample)."));
        if (streams > 0)
        {
            Console.WriteLine(string.Create(Invariant, $"  per stream-step at p50: {Percentile(0.50) / streams:F1} ns"));
        }

        Console.WriteLine(string.Create(Invariant, $"  p50     {Percentile(0.50),10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  p90     {Percentile(0.90),10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  p99     {Percentile(0.99),10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  p99.9   {Percentile(0.999),10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  p99.99  {Percentile(0.9999),10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  max     {samples[^1] * toNs,10:F0} ns"));
        Console.WriteLine(string.Create(Invariant, $"  mean    {mean,10:F1} ns ({flops / Math.Max(1e-9, Percentile(0.50) - timerOverhead):F1} GFLOP/s at p50 less the timer)"));
        Console.WriteLine(string.Create(Invariant, $"  wall    {(end - start) * toNs / 1e6,10:F1} ms for the timed loop"));
        Console.WriteLine(string.Create(Invariant, $"  weights {kernel.ParameterCount * sizeof(float) / 1024.0:F1} KiB, starting {kernel.ParameterAlignment} bytes into a 64-byte cache line"));
        Console.WriteLine(string.Create(Invariant, $"  allocated during the run: {threadBytes} B on this thread, {totalBytes} B process-wide; GCs: gen0 {collections0}, gen1 {collections1}, gen2 {collections2}; GC pause {pauseDuring.TotalMilliseconds:F2} ms"));
    }

    private static double TimerOverheadNanoseconds()
    {
        const int Count = 100_000;
        long[] pairs = new long[Count];
        for (int i = 0; i < Count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            pairs[i] = Stopwatch.GetTimestamp() - t0;
        }

        Array.Sort(pairs);
        Thread.Yield();
        return pairs[Count / 2] * 1e9 / Stopwatch.Frequency;
    }
}
