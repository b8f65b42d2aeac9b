using System;
using System.Collections.Generic;
using System.Globalization;
using Spectre.Console;

namespace FixedRnn.Demo;

/// <summary>The console report: forecast accuracy against persistence, then per-tick latency.</summary>
/// <remarks>
/// Two tables rather than one wide one: they answer different questions (is the forecast any good;
/// what does a tick cost), and each fits an 80-column terminal without wrapping.
/// </remarks>
public static class ReportTable
{
    /// <summary>Significance level of the Diebold–Mariano verdicts.</summary>
    public const double SignificanceLevel = 0.05;

    /// <summary>The forecast-accuracy table, with the baselines as the last rows.</summary>
    public static Table Accuracy(ForecastDataset data, IReadOnlyList<ModelOutcome> outcomes, ForecastScore drift)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title(Invariant($"[bold]Next-day {Markup.Escape(data.Series.Column)} close, test part ({data.TestCount} days)[/]"))
            .AddColumn(new TableColumn("Model"))
            .AddColumn(new TableColumn("Epochs\n(kept)").RightAligned())
            .AddColumn(new TableColumn("Test MSE").RightAligned())
            .AddColumn(new TableColumn("Persistence\nMSE").RightAligned())
            .AddColumn(new TableColumn("Ratio").RightAligned())
            .AddColumn(new TableColumn("p (DM)").RightAligned())
            .AddColumn(new TableColumn("Verdict"));

        foreach (ModelOutcome outcome in outcomes)
        {
            ModelSpec spec = outcome.Model.Spec;
            var training = outcome.Model.Training;
            table.AddRow(
                $"[bold {spec.Color}]{spec.Name}[/]",
                Invariant($"{training.History.Count} ({training.BestEpoch})"),
                Invariant($"{outcome.Score.MeanSquaredError:N1}"),
                Invariant($"{outcome.Score.PersistenceMeanSquaredError:N1}"),
                Ratio(outcome.Score.Ratio),
                PValue(outcome.Score.PValue),
                Verdict(outcome.Score));
        }

        table.AddEmptyRow();
        table.AddRow(
            "[dim]Drift[/]",
            "[dim]–[/]",
            Invariant($"[dim]{drift.MeanSquaredError:N1}[/]"),
            Invariant($"[dim]{drift.PersistenceMeanSquaredError:N1}[/]"),
            $"[dim]{Ratio(drift.Ratio)}[/]",
            $"[dim]{PValue(drift.PValue)}[/]",
            $"[dim]{Verdict(drift)}[/]");
        return table;
    }

    /// <summary>The latency table: percentiles of single ticks, and what the timed loop allocated.</summary>
    public static Table Latency(IReadOnlyList<ModelOutcome> outcomes)
    {
        int ticks = outcomes.Count > 0 ? outcomes[0].Latency.Ticks : 0;
        var table = new Table()
            .Border(TableBorder.Rounded)
            .Title(Invariant($"[bold]Step latency per tick ({ticks:N0} ticks each, after warm-up)[/]"))
            .Caption(Invariant($"Kernels: {FixedRnn.KernelInfo.Describe()}"))
            .AddColumn(new TableColumn("Model"))
            .AddColumn(new TableColumn("Parameters").RightAligned())
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned())
            .AddColumn(new TableColumn("p99.9").RightAligned())
            .AddColumn(new TableColumn("Allocated").RightAligned());

        foreach (ModelOutcome outcome in outcomes)
        {
            ModelSpec spec = outcome.Model.Spec;
            LatencyStats latency = outcome.Latency;
            table.AddRow(
                $"[bold {spec.Color}]{spec.Name}[/]",
                Invariant($"{outcome.Model.ParameterCount:N0}"),
                Duration(latency.P50Nanoseconds),
                Duration(latency.P99Nanoseconds),
                Duration(latency.P999Nanoseconds),
                latency.AllocatedBytes == 0 ? "[green]0 B[/]" : Invariant($"[red]{latency.AllocatedBytes:N0} B[/]"));
        }

        return table;
    }

    /// <summary>Whether a forecast differs from persistence beyond chance, in words.</summary>
    public static string Verdict(ForecastScore score)
    {
        if (double.IsNaN(score.PValue) || score.PValue >= SignificanceLevel)
        {
            return "not significant";
        }

        return score.Ratio < 1 ? "[green]better[/]" : "[red]worse[/]";
    }

    // NaN when the two forecasts never differ: there is nothing to test.
    private static string PValue(double p) => double.IsNaN(p) ? "–" : Invariant($"{p:F2}");

    // Not coloured: a ratio of 0.998 is not a win, and the verdict column says when one is.
    private static string Ratio(double ratio) => Invariant($"{ratio:F3}");

    /// <summary>Nanoseconds below 10 µs, where Step lives; larger units above, where preemption lives.</summary>
    public static string Duration(double nanoseconds) => nanoseconds switch
    {
        < 10_000 => Invariant($"{nanoseconds:N0} ns"),
        < 10_000_000 => Invariant($"{nanoseconds / 1e3:N1} µs"),
        _ => Invariant($"{nanoseconds / 1e6:N1} ms"),
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
