using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FixedRnn.Demo;

/// <summary>
/// The console report's prose: what the demo is about to do, and what the tables mean. The conclusion
/// is computed from the results, so the words stay true whichever way a run comes out.
/// </summary>
public static class ReportNotes
{
    /// <summary>The opening panel: data, task, scaling, split and training setup.</summary>
    public static IRenderable Task(ForecastDataset data, string sourceLabel, TrainingSettings settings, IReadOnlyList<ModelSpec> specs)
    {
        MarketSeries series = data.Series;
        string span = series.Time is not { } time ? ""
            : TimeAxis.HoldsYears(time) ? $", {TimeAxis.Span(time[0], time[^1])}"
            : Invariant($", {time[0]:F2}–{time[^1]:F2}");
        string models = string.Join(", ", specs.Select(s => s.Description));
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow("[bold]Data[/]", Invariant($"{Markup.Escape(series.Column)} from {Markup.Escape(sourceLabel)}: {series.Length:N0} daily closes{span}"));
        grid.AddRow("[bold]Task[/]", "Forecast tomorrow's close. Each network reads one daily log return per tick and predicts the next; " +
            "forecast close = today's close × exp(predicted return). Baseline: persistence (tomorrow = today), the random walk.");
        grid.AddRow("[bold]Scaling[/]", Invariant($"Returns standardized with the training part's mean ({100 * data.Mean:F3} %) and standard deviation ({100 * data.StandardDeviation:F3} %) only."));
        grid.AddRow("[bold]Split[/]", Invariant($"In time order: {data.TrainingCount:N0} training / {data.ValidationCount:N0} validation (early stopping) / {data.TestCount:N0} test days."));
        grid.AddRow("[bold]Training[/]", Invariant(
            $"{models}; Adam (lr {settings.LearningRate}) on MSE, truncated BPTT windows of {settings.WindowLength} every {settings.Stride} days, gradient norm ≤ {settings.MaxGradientNorm}, up to {settings.Epochs} epochs, patience {settings.Patience}, seed {settings.Seed}."));
        return new Panel(grid).Header("[bold]FixedRnn demo[/]").Border(BoxBorder.Rounded).Expand();
    }

    /// <summary>How to read the accuracy table.</summary>
    public static string AccuracyLegend() =>
        "[grey]MSE is on the closing price, in price units squared. Persistence forecasts tomorrow's close = today's; " +
        "Drift, today's close grown by the training part's mean return. Ratio = MSE ÷ persistence's MSE: below 1 beats persistence. " +
        Invariant($"p: two-sided Diebold–Mariano test of equal accuracy; the verdict is 'not significant' unless p < {ReportTable.SignificanceLevel}.[/]");

    /// <summary>What the accuracy table shows, in a sentence or two.</summary>
    public static string Conclusion(ForecastDataset data, IReadOnlyList<ModelOutcome> outcomes)
    {
        List<string> better = Names(outcomes.Where(o => o.Score.Ratio < 1 && o.Score.PValue < ReportTable.SignificanceLevel));
        List<string> worse = Names(outcomes.Where(o => o.Score.Ratio > 1 && o.Score.PValue < ReportTable.SignificanceLevel));
        if (better.Count == 0 && worse.Count == 0)
        {
            double[] spreads = outcomes.Select(o => StandardDeviation(o.Model.TestForecasts.Select(z => data.ToLogReturn(z)))).ToArray();
            double actual = StandardDeviation(Enumerable.Range(data.TestStart, data.TestCount).Select(data.TargetLogReturn));
            return Invariant(
                $"[bold]Result:[/] no network forecasts tomorrow's close significantly better or worse than persistence. Past daily returns carry almost no information about the next day's, as the efficient-market hypothesis predicts for liquid markets: the networks' forecast returns vary by {100 * spreads.Min():F2}–{100 * spreads.Max():F2} % a day (standard deviation) while the actual returns vary by {100 * actual:F2} %, and their differences from persistence are within noise.");
        }

        var sentences = new List<string>();
        if (better.Count > 0)
        {
            sentences.Add($"{Join(better)} beat{(better.Count == 1 ? "s" : "")} persistence significantly on this test part.");
        }

        if (worse.Count > 0)
        {
            sentences.Add($"{Join(worse)} {(worse.Count == 1 ? "is" : "are")} significantly worse than persistence on this test part.");
        }

        return $"[bold]Result:[/] {string.Join(" ", sentences)} One test period is one sample: rerun with other --seed and --column values before trusting it.";
    }

    /// <summary>How the latency table was measured, with the timer's own cost and the slowest ticks.</summary>
    public static string LatencyLegend(IReadOnlyList<ModelOutcome> outcomes, double timerOverheadNanoseconds)
    {
        string slowest = string.Join(", ", outcomes.Select(o => $"{o.Model.Spec.Name} {ReportTable.Duration(o.Latency.MaxNanoseconds)}"));
        return Invariant(
            $"[grey]Each tick is timed alone with Stopwatch.GetTimestamp around Step (the two timestamps cost ≈{timerOverheadNanoseconds:F0} ns, included), the state carried from tick to tick as in a live loop. Allocated: GC.GetAllocatedBytesForCurrentThread over the timed loop. The slowest single ticks ({slowest}) come from the operating system descheduling the thread, not from Step's work: a latency-critical loop runs on an isolated core.[/]");
    }

    private static List<string> Names(IEnumerable<ModelOutcome> outcomes) => outcomes.Select(o => o.Model.Spec.Name).ToList();

    private static string Join(List<string> names) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}";

    private static double StandardDeviation(IEnumerable<double> values)
    {
        double[] array = values.ToArray();
        double mean = array.Average();
        return Math.Sqrt(array.Sum(v => (v - mean) * (v - mean)) / (array.Length - 1));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
