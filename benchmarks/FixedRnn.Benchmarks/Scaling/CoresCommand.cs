using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Benchmarks.Reporting;

namespace FixedRnn.Benchmarks.Scaling;

/// <summary>
/// <c>cores --model lstm --input 32 --hidden 128 --streams 256 --workers 2</c>: the same batch of streams stepped by
/// one batched <c>Step</c> on one core and by <see cref="ParallelBatch{TModel, TState}"/> on W cores, in interleaved
/// rounds; prints the medians and the speed-up.
/// </summary>
public static class CoresCommand
{
    public const string Usage = "usage: cores [--model lstm|gru|gru-rb|rnn] [--input I] [--hidden H] [--streams N] [--workers W] [--rounds R] [--round-ms MS]";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static int Run(ReadOnlySpan<string> args)
    {
        string model = "lstm";
        int input = 32, hidden = 128, streams = 256, workers = 2, rounds = 9, roundMilliseconds = 100;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            switch (args[i])
            {
                case "--model": model = value; break;
                case "--input": input = int.Parse(value, Invariant); break;
                case "--hidden": hidden = int.Parse(value, Invariant); break;
                case "--streams": streams = int.Parse(value, Invariant); break;
                case "--workers": workers = int.Parse(value, Invariant); break;
                case "--rounds": rounds = int.Parse(value, Invariant); break;
                case "--round-ms": roundMilliseconds = int.Parse(value, Invariant); break;
                default: Console.Error.WriteLine($"Unknown option '{args[i]}'. {Usage}"); return 2;
            }
        }

        if (streams < 1 || workers < 2 || rounds < 1)
        {
            Console.Error.WriteLine($"--streams must be at least 1, --workers at least 2 and --rounds at least 1. {Usage}");
            return 2;
        }

        FixedKernel kernel = ModelCatalog.Create(ModelCatalog.ParseKind(model), input, hidden);
        using StreamBatch one = kernel.CreateStreams(streams, 1);
        using StreamBatch many = kernel.CreateStreams(streams, workers);
        MachineInfo machine = MachineInfo.Read();
        Console.WriteLine($"CPU: {machine.CpuModel}, {machine.LogicalCores} logical cores; {machine.Runtime}; kernels: {KernelInfo.Describe()}");

        int oneTicks = TickTimer.Calibrate(one.Tick, roundMilliseconds), manyTicks = TickTimer.Calibrate(many.Tick, roundMilliseconds);
        double[] oneTimes = new double[rounds], manyTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            oneTimes[round] = TickTimer.NsPerTick(one.Tick, oneTicks);
            manyTimes[round] = TickTimer.NsPerTick(many.Tick, manyTicks);
        }

        double oneNs = TickTimer.Median(oneTimes), manyNs = TickTimer.Median(manyTimes);
        string name = $"{ModelCatalog.ShortName(kernel.Kind)} {input}x{hidden}";
        Console.WriteLine(string.Create(Invariant, $"{name}, {streams} streams, {rounds} interleaved rounds of ~{roundMilliseconds} ms each; medians:"));
        Console.WriteLine("| cores | ns per tick | ns per stream-step | speed-up |");
        Console.WriteLine("|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(Invariant, $"| 1 | {oneNs:F0} | {oneNs / streams:F1} | 1.00x |"));
        Console.WriteLine(string.Create(Invariant, $"| {workers} | {manyNs:F0} | {manyNs / streams:F1} | {oneNs / manyNs:F2}x |"));
        return 0;
    }
}
