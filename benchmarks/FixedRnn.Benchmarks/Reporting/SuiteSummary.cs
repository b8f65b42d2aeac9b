using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks.Reporting;

/// <summary>
/// Runs after the benchmarks and relates their results, all from the same run: each Step kernel as
/// GFLOP/s and as a fraction of the measured FMA peak, its speedups over the naive and TensorPrimitives
/// baselines, Forward per step against Step, a training step against a forward pass over the same
/// number of steps, allocations, and the suite's targets met or missed. Each benchmark is represented by its fastest
/// iteration (BenchmarkDotNet's Min): the work is deterministic, so interference from other processes on a
/// shared machine only ever adds time, and the minimum is the least disturbed estimate of the cost.
/// </summary>
public static class SuiteSummary
{
    private const string FileName = "FixedRnn-summary.md";

    private const string SmokeFileName = "FixedRnn-summary-ci.md";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Builds the summary, prints it and writes it next to BenchmarkDotNet's reports.</summary>
    /// <returns>The path written, or null when no relevant benchmark ran.</returns>
    /// <param name="summaries">Every summary of the run.</param>
    /// <param name="console">Where to print it.</param>
    /// <param name="smoke">A CI smoke run: one cold invocation each, so no targets are judged.</param>
    public static string? Write(IReadOnlyList<Summary> summaries, TextWriter console, bool smoke)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        ArgumentNullException.ThrowIfNull(console);
        var results = new Dictionary<(string Type, string Method, CellKind Kind, string Size), Result>();
        var probes = new Dictionary<string, Result>();
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                if (report.ResultStatistics is null)
                {
                    continue;
                }

                BenchmarkCase benchmarkCase = report.BenchmarkCase;
                var result = new Result(report.ResultStatistics.Min, report.GcStats.GetBytesAllocatedPerOperation(benchmarkCase));
                string type = benchmarkCase.Descriptor.Type.Name;
                string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
                if (type is nameof(PeakBenchmarks) or nameof(ActivationBenchmarks))
                {
                    probes[method] = result;
                    continue;
                }

                if (benchmarkCase.Parameters["Kind"] is CellKind kind && benchmarkCase.Parameters["Size"] is string size)
                {
                    results[(type, method, kind, size)] = result;
                }
            }
        }

        Result? peak = probes.GetValueOrDefault(nameof(PeakBenchmarks.Fma256Registers));
        if (results.Count == 0 && probes.Count == 0)
        {
            return null;
        }

        MachineInfo machine = MachineInfo.Read();
        double? peakGflops = peak is null ? null : PeakBenchmarks.FlopsPerInvoke / peak.Nanoseconds;
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"## FixedRnn benchmark summary ({DateTime.Now:yyyy-MM-dd HH:mm})");
        text.AppendLine();
        text.AppendLine(Invariant, $"Machine: {machine.Describe()}.");
        text.AppendLine();
        if (smoke)
        {
            text.AppendLine("**CI smoke run**: every benchmark ran once, cold and in-process. The numbers below only show that the suite works; they are not measurements, and no target is judged.");
            text.AppendLine();
        }
        double? Gflops(string probe) => probes.TryGetValue(probe, out Result? r) ? PeakBenchmarks.FlopsPerInvoke / r.Nanoseconds : null;
        double? GBps(string probe, long bytes) => probes.TryGetValue(probe, out Result? r) ? bytes / r.Nanoseconds : null;
        double? l2Bandwidth = GBps(nameof(PeakBenchmarks.StreamL2), PeakBenchmarks.L2Bytes);
        double? l3Bandwidth = GBps(nameof(PeakBenchmarks.StreamL3), PeakBenchmarks.L3Bytes);
        if (peakGflops is not null)
        {
            text.AppendLine(Invariant, $"Measured Vector256 FMA peak (12 register chains): **{peakGflops:F1} GFLOP/s** on one core ({peak!.Nanoseconds / 1000:F1} µs for {PeakBenchmarks.FlopsPerInvoke:N0} FLOPs: {peakGflops / 32:F2} G cycles/s if both FMA ports retire one 8-lane FMA per cycle).");
            text.AppendLine(Invariant, $"Each FMA fed by a 32-byte L1 load, as in the kernels: {F(Gflops(nameof(PeakBenchmarks.Fma256WithAlignedLoads)), "F1")} GFLOP/s from 64-byte-aligned data ({Pct(Gflops(nameof(PeakBenchmarks.Fma256WithAlignedLoads)) / peakGflops)} of peak), {F(Gflops(nameof(PeakBenchmarks.Fma256WithLoadsOffset16)), "F1")} GFLOP/s from data 16 bytes off alignment ({Pct(Gflops(nameof(PeakBenchmarks.Fma256WithLoadsOffset16)) / peakGflops)}).");
            text.AppendLine(Invariant, $"The same FLOPs as 16-lane FMAs fed by 64-byte aligned loads (Vector512{(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? string.Empty : ", not accelerated here")}): {F(Gflops(nameof(PeakBenchmarks.Fma512WithAlignedLoads)), "F1")} GFLOP/s ({Pct(Gflops(nameof(PeakBenchmarks.Fma512WithAlignedLoads)) / peakGflops)}).");
        }
        else
        {
            text.AppendLine("The peak probe (PeakBenchmarks.Fma256Registers) did not run: no fractions of peak.");
        }

        if (probes.TryGetValue(nameof(ActivationBenchmarks.Sigmoid256), out Result? sigmoid) && probes.TryGetValue(nameof(ActivationBenchmarks.Tanh256), out Result? tanh))
        {
            string paired = probes.TryGetValue(nameof(ActivationBenchmarks.Sigmoid512Pairs), out Result? sigmoidPairs) && probes.TryGetValue(nameof(ActivationBenchmarks.Tanh512Pairs), out Result? tanhPairs)
                ? string.Create(Invariant, $"; evaluated two blocks at a time as Vector512 (the kernels' paired path{(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? string.Empty : ", not accelerated here")}): {sigmoidPairs.Nanoseconds:F2} and {tanhPairs.Nanoseconds:F2} ns")
                : string.Empty;
            text.AppendLine(Invariant, $"Activations per 8-lane block, throughput of independent inputs: sigmoid {sigmoid.Nanoseconds:F2} ns, tanh {tanh.Nanoseconds:F2} ns as Vector256{paired} (for scale: one 8-lane FMA takes {(peakGflops is null ? "-" : (16 / peakGflops.Value).ToString("F3", Invariant))} ns at the measured peak).");
        }

        text.AppendLine(Invariant, $"Read bandwidth with 32-byte loads: {F(l2Bandwidth, "F1")} GB/s from a {PeakBenchmarks.L2Bytes / 1024} KiB buffer (L2), {F(l3Bandwidth, "F1")} GB/s from a {PeakBenchmarks.L3Bytes / 1024 / 1024} MiB buffer (L3).");
        text.AppendLine();

        var rows = new List<Row>();
        foreach (CellKind kind in ModelCatalog.Kinds)
        {
            foreach ((int input, int hidden) in ModelCatalog.Sizes)
            {
                string size = ModelCatalog.FormatSize(input, hidden);
                Result? Get(string type, string method) => results.GetValueOrDefault((type, method, kind, size));
                var row = new Row(
                    kind,
                    input,
                    hidden,
                    Get(nameof(StepBenchmarks), nameof(StepBenchmarks.FixedRnnStep)),
                    Get(nameof(StepBenchmarks), nameof(StepBenchmarks.NaiveScalar)),
                    Get(nameof(StepBenchmarks), nameof(StepBenchmarks.TensorPrimitivesDot)),
                    Get(nameof(ForwardBenchmarks), nameof(ForwardBenchmarks.ForwardPerStep)),
                    Get(nameof(TrainingBenchmarks), nameof(TrainingBenchmarks.TrainingWindow64)));
                if (row.Step is not null || row.Forward is not null || row.Training is not null)
                {
                    rows.Add(row);
                }
            }
        }

        if (rows.Count > 0)
        {
            AppendStepTable(text, rows, machine, peakGflops, l2Bandwidth, l3Bandwidth);
            AppendSequenceTable(text, rows);
            if (!smoke)
            {
                AppendTargets(text, rows, machine, peakGflops);
            }
        }

        string output = text.ToString();
        console.WriteLine();
        console.WriteLine(output);
        string directory = summaries.Select(s => s.ResultsDirectoryPath).FirstOrDefault(p => !string.IsNullOrEmpty(p)) ?? ".";
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, smoke ? SmokeFileName : FileName);
        File.WriteAllText(path, output);
        console.WriteLine($"Summary written to {path}");
        return path;
    }

    private static void AppendStepTable(StringBuilder text, List<Row> rows, MachineInfo machine, double? peak, double? l2Bandwidth, double? l3Bandwidth)
    {
        text.AppendLine("### Step (one time step, batch 1)");
        text.AppendLine();
        text.AppendLine("| model | I→H | weights | fits | Step ns | GFLOP/s | of peak | weight GB/s | of stream | × naive | × TensorPrimitives | naive ns | TensorPrimitives ns | alloc B |");
        text.AppendLine("|---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (Row row in rows)
        {
            double? gflops = row.Step is null ? null : row.Flops / row.Step.Nanoseconds;
            double? bandwidth = row.Step is null ? null : row.WeightBytes / row.Step.Nanoseconds;
            string level = machine.Level(row.WeightBytes);
            double? stream = level == "L2" ? l2Bandwidth : level == "L3" ? l3Bandwidth : null;
            text.AppendLine(Invariant, $"| {ModelCatalog.ShortName(row.Kind)} | {row.Input}→{row.Hidden} | {Kib(row.WeightBytes)} | {level} | {Ns(row.Step)} | {F(gflops, "F1")} | {Pct(gflops / peak)} | {F(bandwidth, "F1")} | {Pct(bandwidth / stream)} | {Ratio(row.Naive, row.Step)} | {Ratio(row.TensorPrimitives, row.Step)} | {Ns(row.Naive)} | {Ns(row.TensorPrimitives)} | {Bytes(row.Step)} |");
        }

        text.AppendLine();
        text.AppendLine("weights: the packed parameter buffer one Step streams through (FixedRnn pads H to whole 8-lane blocks); fits: the smallest cache level per core that holds it; weight GB/s: weights / Step time; of stream: that bandwidth as a fraction of the measured read bandwidth of the level the weights live in (L2 or L3); × naive, × TensorPrimitives: baseline time / FixedRnn time on the same weights and input.");
        text.AppendLine();
    }

    private static void AppendSequenceTable(StringBuilder text, List<Row> rows)
    {
        text.AppendLine(Invariant, $"### Forward (T = {FixedKernel.ForwardSteps}) and training step (T = {FixedKernel.TrainingWindow})");
        text.AppendLine();
        text.AppendLine(Invariant, $"| model | I→H | Step ns | Forward ns/step | Forward ÷ Step | training step µs | training ÷ forward ({FixedKernel.TrainingWindow} steps) | alloc B (Forward / training) |");
        text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|");
        foreach (Row row in rows)
        {
            double? trainingOverForward = row.Training is null || row.Forward is null ? null : row.Training.Nanoseconds / (row.Forward.Nanoseconds * FixedKernel.TrainingWindow);
            text.AppendLine(Invariant, $"| {ModelCatalog.ShortName(row.Kind)} | {row.Input}→{row.Hidden} | {Ns(row.Step)} | {Ns(row.Forward)} | {Ratio(row.Forward, row.Step, inverse: true)} | {F(row.Training?.Nanoseconds / 1000, "F2")} | {F(trainingOverForward, "F2")}× | {Bytes(row.Forward)} / {Bytes(row.Training)} |");
        }

        text.AppendLine();
        text.AppendLine(Invariant, $"Forward ÷ Step below 1 means Forward costs less per step than a Step call. Training step: recording Forward + MSE + Backward + Adam (lr 0) over {FixedKernel.TrainingWindow} steps, against {FixedKernel.TrainingWindow} × (Forward per step).");
        text.AppendLine();
    }

    private static void AppendTargets(StringBuilder text, List<Row> rows, MachineInfo machine, double? peak)
    {
        text.AppendLine("### Targets");
        text.AppendLine();
        if (peak is not null)
        {
            List<Row> l1 = rows.Where(r => r.Step is not null && r.Kind != CellKind.Rnn && r.Hidden >= 32 && machine.Level(r.WeightBytes) == "L1").ToList();
            List<Row> beyond = rows.Where(r => r.Step is not null && r.Kind != CellKind.Rnn && r.Hidden >= 32 && machine.Level(r.WeightBytes) != "L1").ToList();
            AppendTarget(text, "LSTM/GRU Step, H ≥ 32, weights in L1: ≥ 75% of peak", l1, r => r.Flops / r.Step!.Nanoseconds / peak.Value, 0.75, higherIsBetter: true, Pct);
            AppendTarget(text, "LSTM/GRU Step, H ≥ 32, weights beyond L1 (for information): ≥ 75% of peak", beyond, r => r.Flops / r.Step!.Nanoseconds / peak.Value, 0.75, higherIsBetter: true, Pct);
        }

        AppendTarget(text, "Step ≥ 25× naive", rows.Where(r => r.Step is not null && r.Naive is not null).ToList(), r => r.Naive!.Nanoseconds / r.Step!.Nanoseconds, 25, higherIsBetter: true, v => F(v, "F1") + "×");
        AppendTarget(text, "Step ≥ 4× TensorPrimitives", rows.Where(r => r.Step is not null && r.TensorPrimitives is not null).ToList(), r => r.TensorPrimitives!.Nanoseconds / r.Step!.Nanoseconds, 4, higherIsBetter: true, v => F(v, "F1") + "×");
        AppendTarget(text, "Forward per step faster than Step (ratio < 1)", rows.Where(r => r.Step is not null && r.Forward is not null).ToList(), r => r.Forward!.Nanoseconds / r.Step!.Nanoseconds, 1, higherIsBetter: false, v => F(v, "F2"), strict: true);
        AppendTarget(text, "training step ≤ 3.5× forward", rows.Where(r => r.Training is not null && r.Forward is not null).ToList(), r => r.Training!.Nanoseconds / (r.Forward!.Nanoseconds * FixedKernel.TrainingWindow), 3.5, higherIsBetter: false, v => F(v, "F2") + "×");
        var allocations = rows
            .SelectMany(r => new[] { ("Step", r, r.Step), ("Forward", r, r.Forward), ("training", r, r.Training) })
            .Where(x => x.Item3 is not null)
            .Select(x => (Name: $"{x.Item1} {ModelCatalog.ShortName(x.r.Kind)} {x.r.Input}→{x.r.Hidden}", Bytes: x.Item3!.AllocatedBytes))
            .ToList();
        var allocating = allocations.Where(a => a.Bytes is null or > 0).ToList();
        text.Append(Invariant, $"- 0 bytes allocated (Step, Forward, training step): {(allocating.Count == 0 ? "**met**" : "**missed**")}, {allocations.Count - allocating.Count} of {allocations.Count} benchmarks allocate nothing");
        if (allocating.Count > 0)
        {
            text.Append("; allocating: ");
            text.Append(string.Join(", ", allocating.Select(a => $"{a.Name} {a.Bytes?.ToString(Invariant) ?? "?"} B")));
        }

        text.AppendLine(".");
        text.AppendLine();
    }

    private static void AppendTarget(StringBuilder text, string name, List<Row> rows, Func<Row, double> value, double threshold, bool higherIsBetter, Func<double?, string> format, bool strict = false)
    {
        if (rows.Count == 0)
        {
            text.AppendLine(Invariant, $"- {name}: no measurement.");
            return;
        }

        bool Meets(double v) => higherIsBetter ? v >= threshold : strict ? v < threshold : v <= threshold;
        List<(Row Row, double Value)> values = rows.Select(r => (r, value(r))).ToList();
        List<(Row Row, double Value)> missed = values.Where(v => !Meets(v.Value)).ToList();
        double worst = higherIsBetter ? values.Min(v => v.Value) : values.Max(v => v.Value);
        double best = higherIsBetter ? values.Max(v => v.Value) : values.Min(v => v.Value);
        text.Append(Invariant, $"- {name}: {(missed.Count == 0 ? "**met**" : "**missed**")}, {values.Count - missed.Count} of {values.Count} meet it (worst {format(worst)}, best {format(best)})");
        if (missed.Count > 0)
        {
            text.Append("; missed: ");
            text.Append(string.Join(", ", missed.Select(m => $"{ModelCatalog.ShortName(m.Row.Kind)} {m.Row.Input}→{m.Row.Hidden} {format(m.Value)}")));
        }

        text.AppendLine(".");
    }

    private static string Ns(Result? result) => result is null ? "-" : result.Nanoseconds >= 100_000 ? (result.Nanoseconds / 1000).ToString("N0", Invariant) + " µs" : result.Nanoseconds.ToString(result.Nanoseconds >= 100 ? "F0" : "F1", Invariant);

    private static string Ratio(Result? slow, Result? fast, bool inverse = false)
    {
        if (slow is null || fast is null)
        {
            return "-";
        }

        double ratio = slow.Nanoseconds / fast.Nanoseconds;
        return inverse ? ratio.ToString("F2", Invariant) : ratio.ToString(ratio >= 10 ? "F0" : "F1", Invariant) + "×";
    }

    private static string F(double? value, string format) => value is null ? "-" : value.Value.ToString(format, Invariant);

    private static string Pct(double? fraction) => fraction is null ? "-" : (fraction.Value * 100).ToString("F0", Invariant) + "%";

    private static string Kib(long bytes) => (bytes / 1024.0).ToString(bytes < 10 * 1024 ? "F1" : "F0", Invariant) + " KiB";

    private static string Bytes(Result? result) => result?.AllocatedBytes?.ToString(Invariant) ?? "-";

    private sealed record Result(double Nanoseconds, long? AllocatedBytes);

    private sealed record Row(CellKind Kind, int Input, int Hidden, Result? Step, Result? Naive, Result? TensorPrimitives, Result? Forward, Result? Training)
    {
        public double Flops => ModelCatalog.FlopsPerStep(Kind, Input, Hidden);

        public long WeightBytes { get; } = sizeof(float) * PackedParameterCount(Kind, Input, Hidden);
    }

    /// <summary>The packed parameter count (padding included), read from the declared model.</summary>
    private static long PackedParameterCount(CellKind kind, int input, int hidden) => ModelCatalog.Create(kind, input, hidden).ParameterCount;
}
