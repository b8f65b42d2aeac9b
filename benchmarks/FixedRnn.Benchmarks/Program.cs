using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FixedRnn.Benchmarks.Baselines;
using FixedRnn.Benchmarks.Latency;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Benchmarks.Reporting;
using FixedRnn.Benchmarks.Training;

namespace FixedRnn.Benchmarks;

/// <summary>
/// The benchmark suite (see benchmarks/README.md):
/// <list type="bullet">
/// <item><description><c>-- --filter '*'</c>: every benchmark, then the summary of ratios;</description></item>
/// <item><description><c>-- --ci</c>: every benchmark once, in-process, as a smoke test;</description></item>
/// <item><description><c>-- latency --model lstm --input 8 --hidden 32 --steps 1000000</c>: tail latency of one model;</description></item>
/// <item><description><c>-- bidirectional --steps 64</c>: a bidirectional LSTM 8 → 32's Forward per step against the one-directional one;</description></item>
/// <item><description><c>-- verify</c>: only the check that the baselines agree with FixedRnn.</description></item>
/// <item><description><c>-- training-epoch</c>: the lecture's Keras workflow per epoch, FixedRnn against PyTorch;</description></item>
/// <item><description><c>-- cores --streams 256 --workers 2</c>: one batch on one core against several (ParallelBatch);</description></item>
/// <item><description><c>-- onnx-peer</c>: B streams per tick, FixedRnn's batched Step against ONNX Runtime at batch B;</description></item>
/// </list>
/// Any other arguments go to BenchmarkDotNet's switcher.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "latency")
        {
            return LatencyCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "training-epoch")
        {
            return TrainingEpochCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "cores")
        {
            return Scaling.CoresCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "onnx-peer")
        {
            return Peers.OnnxPeerCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "bidirectional")
        {
            return Peers.BidirectionalCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == "verify")
        {
            return Verification.RunAll(verbose: true) ? 0 : 1;
        }

        var clock = Stopwatch.StartNew();
        bool ci = args.Contains("--ci");
        var rest = args.Where(a => a != "--ci").ToList();
        if (ci && !rest.Any(a => a is "--filter" or "-f" or "--list" or "--allCategories" or "--anyCategories"))
        {
            rest.AddRange(["--filter", "*"]);
        }

        // The comparison is only honest if the baselines compute what FixedRnn computes.
        bool listing = rest.Any(a => a is "--list" or "--help" or "-h" or "--version" or "--info");
        if (!listing)
        {
            Console.WriteLine("Checking the naive and TensorPrimitives baselines against FixedRnn on every model's weights:");
            if (!Verification.RunAll(verbose: !ci))
            {
                return 1;
            }
        }

        Summary[] summaries = BenchmarkSwitcher.FromTypes(Peers.OnnxPeerBenchmarks.SuiteTypes(Console.WriteLine)).Run(rest.ToArray(), BenchmarkConfig.Create(ci)).ToArray();
        SuiteSummary.Write(summaries, Console.Out, smoke: ci);

        var failed = new List<string>();
        foreach (Summary summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failed.Add(summary.Title + " (validation errors)");
            }

            failed.AddRange(summary.Reports.Where(r => !r.Success || r.ResultStatistics is null).Select(r => r.BenchmarkCase.DisplayInfo));
        }

        int cases = summaries.Sum(s => s.BenchmarksCases.Length);
        if (listing)
        {
            return 0;
        }

        if (ci)
        {
            // The latency command too, briefly, so that it cannot rot either.
            LatencyCommand.Measure(ModelCatalog.Create(CellKind.Lstm, 8, 32), steps: 100_000, warmupMilliseconds: 200);

            // And the training-epoch command, FixedRnn's side only (CI must not depend on PyTorch).
            TrainingEpochCommand.Measure(windows: 256, epochs: 1, rounds: 1, pytorch: false);
            if (cases == 0)
            {
                failed.Add("no benchmark ran");
            }
        }

        Console.WriteLine($"{cases - failed.Count} passed, {failed.Count} failed ({cases} benchmark cases in {clock.Elapsed:hh\\:mm\\:ss}).");
        foreach (string name in failed)
        {
            Console.Error.WriteLine("  failed: " + name);
        }

        return failed.Count == 0 ? 0 : 1;
    }
}
