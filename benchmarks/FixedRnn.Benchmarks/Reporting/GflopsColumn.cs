using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks.Reporting;

/// <summary>
/// GFLOP/s of a Step or Forward benchmark (2·gates·H·(I+H) FLOPs per step over the fastest iteration (Min)) and
/// of the FMA peak probes. Fractions of the peak are in the summary printed after the run.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public static readonly GflopsColumn Instance = new();

    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s (best)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Multiply-add FLOPs per second: 2·gates·H·(I+H) per step, or the probe's FMAs, over the fastest iteration (Min)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = FlopsPerOperation(benchmarkCase);
        BenchmarkReport? report = summary[benchmarkCase];
        if (flops is null || report?.ResultStatistics is null)
        {
            return "-";
        }

        return (flops.Value / report.ResultStatistics.Min).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>FLOPs one operation of the benchmark performs, or null where the column does not apply.</summary>
    public static double? FlopsPerOperation(BenchmarkCase benchmarkCase)
    {
        System.Type type = benchmarkCase.Descriptor.Type;
        if (type == typeof(PeakBenchmarks))
        {
            return benchmarkCase.Descriptor.WorkloadMethod.Name.StartsWith("Fma", System.StringComparison.Ordinal) ? PeakBenchmarks.FlopsPerInvoke : null;
        }

        if (type != typeof(StepBenchmarks) && type != typeof(ForwardBenchmarks))
        {
            return null;
        }

        var kind = (CellKind)benchmarkCase.Parameters["Kind"];
        (int input, int hidden) = ModelCatalog.ParseSize((string)benchmarkCase.Parameters["Size"]);
        return ModelCatalog.FlopsPerStep(kind, input, hidden);
    }
}
