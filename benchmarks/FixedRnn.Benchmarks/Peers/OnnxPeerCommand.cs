using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Benchmarks.Reporting;

namespace FixedRnn.Benchmarks.Peers;

/// <summary>
/// <c>onnx-peer</c>: B streams stepped once per tick by FixedRnn's batched <c>Step</c> and by ONNX Runtime (one thread)
/// at batch B, on the same weights, interleaved round by round in one process. Reports ns per stream-step, GFLOP/s
/// and the share of the Vector512 and Vector256 load-fed FMA peaks measured in the same run.
/// The models are written by <c>Peers/OnnxModels/make_onnx_peers.py</c>.
/// </summary>
public static class OnnxPeerCommand
{
    public const string Usage = "usage: onnx-peer [--batches 1,8,16,64,256] [--rounds 7] [--round-ms 40] [--fastest]";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Run(ReadOnlySpan<string> args)
    {
        int[] batches = [1, 8, 16, 64, 256];
        int rounds = 7, roundMilliseconds = 40;
        bool fastest = false;
        for (int i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--fastest")
            {
                // A flag: the fastest round instead of the median, for a machine other work keeps busy.
                fastest = true;
                i--;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"Option '{args[i]}' needs a value. {Usage}");
                return 2;
            }

            switch (args[i])
            {
                case "--batches": batches = args[i + 1].Split(',').Select(b => int.Parse(b, Invariant)).ToArray(); break;
                case "--rounds": rounds = int.Parse(args[i + 1], Invariant); break;
                case "--round-ms": roundMilliseconds = int.Parse(args[i + 1], Invariant); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'. {Usage}"); return 2;
            }
        }

        string directory = ModelDirectory();
        if (!File.Exists(Path.Combine(directory, "lstm_8_32.onnx")))
        {
            Console.Error.WriteLine($"No peer models in {directory}: run /usr/bin/python3 benchmarks/FixedRnn.Benchmarks/Peers/OnnxModels/make_onnx_peers.py first.");
            return 1;
        }

        MachineInfo machine = MachineInfo.Read();
        Console.WriteLine($"CPU: {machine.CpuModel}, {machine.LogicalCores} logical cores; {machine.Runtime}; kernels: {KernelInfo.Describe()}");
        (double peak512, double peak256) = MeasurePeaks();
        Console.WriteLine(string.Create(Invariant, $"Load-fed FMA peak, one core: Vector512 {peak512:F1} GFLOP/s, Vector256 {peak256:F1} GFLOP/s (PeakBenchmarks' probes)."));
        Console.WriteLine(string.Create(Invariant, $"{rounds} interleaved rounds of ~{roundMilliseconds} ms per side; {(fastest ? "the fastest round" : "medians")}. ONNX Runtime: 1 intra-op thread, sequential, all graph optimizations, preallocated OrtValues."));
        Console.WriteLine();
        Console.WriteLine("| model | B | FixedRnn ns/stream-step | ORT ns/stream-step | ORT / FixedRnn | FixedRnn GFLOP/s | % V512 peak | ORT GFLOP/s | % V512 peak | max |Δ| |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        var cases = new List<(string Kind, int Input, int Hidden, int[] Batches)>
        {
            ("lstm", 8, 32, batches), ("lstm", 32, 128, batches), ("gru", 8, 32, batches), ("gru", 32, 128, batches),
            ("lstm", 1, 16, [1]), ("lstm", 1, 32, [1]), ("lstm", 1, 64, [1]), ("lstm", 16, 64, [1]), ("lstm", 64, 256, [1]),
            ("gru", 1, 16, [1]), ("gru", 1, 32, [1]), ("gru", 1, 64, [1]), ("gru", 16, 64, [1]), ("gru", 64, 256, [1]),
        };
        foreach ((string kind, int input, int hidden, int[] caseBatches) in cases)
        {
            string name = $"{kind}_{input}_{hidden}";
            foreach (int batch in caseBatches)
            {
                using IBatchedRunner fixedRnn = CreateFixed(kind, input, hidden, batch, Path.Combine(directory, name + ".pt"));
                using var ort = new OrtRunner(Path.Combine(directory, name + ".onnx"), kind == "lstm", input, hidden, batch);
                float difference = Verify(fixedRnn, ort, batch * input);
                if (!(difference <= 1e-4f))
                {
                    Console.Error.WriteLine($"{name}, B = {batch}: FixedRnn and ONNX Runtime disagree by {difference}; not timing.");
                    return 1;
                }

                (double fixedNs, double ortNs) = TimeInterleaved(fixedRnn, ort, batch, rounds, roundMilliseconds, fastest);
                double flops = 2.0 * (kind == "lstm" ? 4 : 3) * hidden * (input + hidden);
                double fixedGflops = flops / fixedNs, ortGflops = flops / ortNs;
                Console.WriteLine(string.Create(Invariant, $"| {kind.ToUpperInvariant()} {input}x{hidden} | {batch} | {fixedNs:F1} | {ortNs:F1} | {ortNs / fixedNs:F2}x | {fixedGflops:F1} | {100 * fixedGflops / peak512:F0}% | {ortGflops:F1} | {100 * ortGflops / peak512:F0}% | {difference:E1} |"));
            }
        }

        return 0;
    }

    /// <summary>Steps both with the same random inputs from the zero state for three ticks; returns the largest output difference.</summary>
    internal static float Verify(IBatchedRunner fixedRnn, OrtRunner ort, int inputFloats)
    {
        var random = new Random(17);
        float worst = 0;
        for (int tick = 0; tick < 3; tick++)
        {
            for (int i = 0; i < inputFloats; i++)
            {
                float value = (float)((random.NextDouble() * 2) - 1);
                fixedRnn.Inputs[i] = value;
                ort.Inputs[i] = value;
            }

            fixedRnn.Tick();
            ort.Tick();
            ReadOnlySpan<float> expected = ort.Hidden;
            ReadOnlySpan<float> actual = fixedRnn.Outputs;
            for (int i = 0; i < expected.Length; i++)
            {
                worst = MathF.Max(worst, MathF.Abs(expected[i] - actual[i]));
            }
        }

        return worst;
    }

    private static (double FixedNs, double OrtNs) TimeInterleaved(IBatchedRunner fixedRnn, OrtRunner ort, int batch, int rounds, int roundMilliseconds, bool fastest)
    {
        int fixedTicks = TickTimer.Calibrate(fixedRnn.Tick, roundMilliseconds);
        int ortTicks = TickTimer.Calibrate(ort.Tick, roundMilliseconds);
        var fixedTimes = new double[rounds];
        var ortTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            ortTimes[round] = TickTimer.NsPerTick(ort.Tick, ortTicks) / batch;
            fixedTimes[round] = TickTimer.NsPerTick(fixedRnn.Tick, fixedTicks) / batch;
        }

        return fastest ? (fixedTimes.Min(), ortTimes.Min()) : (TickTimer.Median(fixedTimes), TickTimer.Median(ortTimes));
    }

    /// <summary>The two load-fed FMA probes of <see cref="PeakBenchmarks"/>, best of several timed runs each, in GFLOP/s.</summary>
    private static (double Peak512, double Peak256) MeasurePeaks()
    {
        var probes = new PeakBenchmarks();
        probes.Setup();
        try
        {
            return (Best(() => probes.Fma512WithAlignedLoads()), Best(() => probes.Fma256WithAlignedLoads()));
        }
        finally
        {
            probes.Cleanup();
        }

        static double Best(Func<float> probe)
        {
            // Half a second of calls first: 200 calls of ~30 µs alone end before tiered compilation replaces the
            // probe's first code (they read 64 GFLOP/s here, against 100 from BenchmarkDotNet the same day).
            long warmUp = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(warmUp).TotalMilliseconds < 500)
            {
                probe();
            }

            double best = 0;
            for (int run = 0; run < 200; run++)
            {
                long start = Stopwatch.GetTimestamp();
                probe();
                best = Math.Max(best, PeakBenchmarks.FlopsPerInvoke / Stopwatch.GetElapsedTime(start).TotalNanoseconds);
            }

            return best;
        }
    }

    internal static IBatchedRunner CreateFixed(string kind, int input, int hidden, int batch, string weights) => (kind, input, hidden) switch
    {
        ("lstm", 1, 16) => new BatchedRunner<Lstm_1_16, Lstm_1_16.State>(batch, weights),
        ("lstm", 1, 32) => new BatchedRunner<Lstm_1_32, Lstm_1_32.State>(batch, weights),
        ("lstm", 1, 64) => new BatchedRunner<Lstm_1_64, Lstm_1_64.State>(batch, weights),
        ("lstm", 8, 32) => new BatchedRunner<Lstm_8_32, Lstm_8_32.State>(batch, weights),
        ("lstm", 16, 64) => new BatchedRunner<Lstm_16_64, Lstm_16_64.State>(batch, weights),
        ("lstm", 32, 128) => new BatchedRunner<Lstm_32_128, Lstm_32_128.State>(batch, weights),
        ("lstm", 64, 256) => new BatchedRunner<Lstm_64_256, Lstm_64_256.State>(batch, weights),
        ("gru", 1, 16) => new BatchedRunner<Gru_1_16, Gru_1_16.State>(batch, weights),
        ("gru", 1, 32) => new BatchedRunner<Gru_1_32, Gru_1_32.State>(batch, weights),
        ("gru", 1, 64) => new BatchedRunner<Gru_1_64, Gru_1_64.State>(batch, weights),
        ("gru", 8, 32) => new BatchedRunner<Gru_8_32, Gru_8_32.State>(batch, weights),
        ("gru", 16, 64) => new BatchedRunner<Gru_16_64, Gru_16_64.State>(batch, weights),
        ("gru", 32, 128) => new BatchedRunner<Gru_32_128, Gru_32_128.State>(batch, weights),
        ("gru", 64, 256) => new BatchedRunner<Gru_64_256, Gru_64_256.State>(batch, weights),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), $"{kind} {input}x{hidden} is not a benchmarked model."),
    };

    internal static string ModelDirectory()
    {
        string? project = typeof(OnnxPeerCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ProjectDirectory")?.Value;
        return Path.Combine(project ?? AppContext.BaseDirectory, "Peers", "OnnxModels");
    }
}
