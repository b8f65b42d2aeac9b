using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;
using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>
/// The demo's chart as a self-contained SVG file: the test part's daily returns with each network's
/// forecast on top, and each network's training and validation loss per epoch. Written by hand so the
/// demo needs no plotting package and the file opens in any browser.
/// </summary>
public static class SvgChart
{
    private const double Width = 1000;
    private const double Height = 940;
    private const double LegendRow = 17;
    private const double Left = 80;
    private const double Right = 960;
    private const string ActualColor = "#b0b0b0";
    private const string Font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\"";

    /// <summary>Renders the chart.</summary>
    public static string Render(ForecastDataset data, IReadOnlyList<ModelOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(outcomes);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" {Font} font-size=\"12\">\n"));
        svg.Append(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        Text(svg, Left, 30, $"FixedRnn demo: next-day {data.Series.Column}, three recurrent networks trained in C#", size: 18, weight: "600");
        Text(svg, Left, 50, $"Data: {Path.GetFileName(data.Series.Source)} · split in time order {data.TrainingCount} train / {data.ValidationCount} validation / {data.TestCount} test days", size: 12, color: "#555");

        // Each legend sits under its panel's axis labels, outside the plot, so it can hide no bar or line.
        ForecastPanel(svg, data, outcomes, top: 110, bottom: 440);
        LossPanel(svg, outcomes, top: 610, bottom: 860);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void ForecastPanel(StringBuilder svg, ForecastDataset data, IReadOnlyList<ModelOutcome> outcomes, double top, double bottom)
    {
        int n = data.TestCount;
        var time = new double[n];
        var actual = new double[n];
        for (int i = 0; i < n; i++)
        {
            int pair = data.TestStart + i;
            time[i] = data.TargetTime(pair);
            actual[i] = 100 * data.TargetLogReturn(pair);
        }

        var forecasts = outcomes
            .Select(o => o.Model.TestForecasts.Select(z => 100 * data.ToLogReturn(z)).ToArray())
            .ToArray();
        double low = Math.Min(actual.Min(), forecasts.Length > 0 ? forecasts.Min(f => f.Min()) : 0);
        double high = Math.Max(actual.Max(), forecasts.Length > 0 ? forecasts.Max(f => f.Max()) : 0);
        double halfDay = n > 1 ? (time[^1] - time[0]) / (n - 1) / 2 : 0.5;
        var x = ChartScale.Tight(time[0] - halfDay, time[^1] + halfDay, Left, Right, targetTicks: 8);
        var y = ChartScale.Nice(low, high, bottom, top);

        // R's time column is fractional years: label the axis with months, not 1997.6.
        bool dated = TimeAxis.HoldsYears(data.Series.Time);
        IReadOnlyList<(double, string)> xTicks = dated ? TimeAxis.MonthTicks(x.Min, x.Max, maxTicks: 9) : NumericTicks(x);
        string xLabel = dated ? "date (from the time column's fractional years, so approximate)" : data.Series.Time is null ? "data row" : "time";

        Text(svg, Left, top - 24, "Test part: next-day log return (%), actual and forecast", size: 14, weight: "600");
        Text(svg, Left, top - 7, "Grey bars: what happened. Lines: each network's forecast, made from the days before.", size: 11, color: "#555");
        Axes(svg, x, y, xTicks, xLabel, "log return, %");

        // Bars from zero read as a returns chart; a connecting line would imply values between days.
        double barWidth = Math.Max(1, ((Right - Left) / n) - 0.6);
        double zero = y.Map(0);
        for (int i = 0; i < n; i++)
        {
            double yy = y.Map(actual[i]);
            svg.Append(Invariant($"<rect x=\"{x.Map(time[i]) - (barWidth / 2):F2}\" y=\"{Math.Min(yy, zero):F2}\" width=\"{barWidth:F2}\" height=\"{Math.Abs(yy - zero):F2}\" fill=\"{ActualColor}\"/>\n"));
        }

        for (int m = 0; m < outcomes.Count; m++)
        {
            Polyline(svg, time, forecasts[m], x, y, outcomes[m].Model.Spec.Color, width: 1.8, dashed: false);
        }

        // Each network's score is in its legend entry, so the picture and the table agree.
        var entries = new List<LegendEntry> { new(ActualColor, LegendMark.Bar, "actual return") };
        entries.AddRange(outcomes.Select(o => new LegendEntry(
            o.Model.Spec.Color,
            LegendMark.Line,
            Invariant($"{o.Model.Spec.Name}: price MSE {o.Score.Ratio:F3} × persistence's (p = {o.Score.PValue:F2})"))));
        Legend(svg, entries, top: bottom + 60, columns: 2);
    }

    private static void LossPanel(StringBuilder svg, IReadOnlyList<ModelOutcome> outcomes, double top, double bottom)
    {
        int epochs = Math.Max(2, outcomes.Max(o => o.Model.Training.History.Count));
        var losses = outcomes
            .SelectMany(o => o.Model.Training.History)
            .SelectMany(r => new[] { (double)r.TrainingLoss, r.ValidationLoss })
            .Where(double.IsFinite)
            .ToArray();
        var x = ChartScale.Tight(1, epochs, Left, Right, targetTicks: 10);
        var y = losses.Length > 0 ? ChartScale.Nice(losses.Min(), losses.Max(), bottom, top) : ChartScale.Nice(0, 1, bottom, top);

        Text(svg, Left, top - 24, "Training: loss per epoch (MSE of standardized next-day returns)", size: 14, weight: "600");
        Text(svg, Left, top - 7, "Solid: training part. Dashed: validation part. Dot: the epoch whose weights were kept (early stopping).", size: 11, color: "#555");
        Axes(svg, x, y, NumericTicks(x), "epoch", "MSE");

        foreach (ModelOutcome outcome in outcomes)
        {
            IReadOnlyList<EpochReport> history = outcome.Model.Training.History;
            double[] epochNumbers = history.Select(r => (double)r.Epoch).ToArray();
            string color = outcome.Model.Spec.Color;
            Polyline(svg, epochNumbers, history.Select(r => (double)r.TrainingLoss).ToArray(), x, y, color, width: 1.8, dashed: false);
            Polyline(svg, epochNumbers, history.Select(r => (double)r.ValidationLoss).ToArray(), x, y, color, width: 1.8, dashed: true);
            if (outcome.Model.KeptEpoch is { } kept && float.IsFinite(kept.ValidationLoss))
            {
                svg.Append(Invariant($"<circle cx=\"{x.Map(kept.Epoch):F2}\" cy=\"{y.Map(kept.ValidationLoss):F2}\" r=\"4.5\" fill=\"{color}\" stroke=\"white\" stroke-width=\"1.5\"/>\n"));
            }
        }

        Legend(svg, outcomes.Select(o => new LegendEntry(o.Model.Spec.Color, LegendMark.Line, o.Model.Spec.Description)).ToList(), top: bottom + 60, columns: Math.Max(1, outcomes.Count));
    }

    /// <summary>A legend laid out in <paramref name="columns"/> columns across the plot's width, rows from <paramref name="top"/> down.</summary>
    private static void Legend(StringBuilder svg, IReadOnlyList<LegendEntry> entries, double top, int columns)
    {
        double columnWidth = (Right - Left) / columns;
        for (int i = 0; i < entries.Count; i++)
        {
            double lx = Left + ((i % columns) * columnWidth);
            double ly = top + ((i / columns) * LegendRow);
            LegendEntry entry = entries[i];
            if (entry.Mark == LegendMark.Bar)
            {
                svg.Append(Invariant($"<rect x=\"{lx}\" y=\"{ly - 8}\" width=\"18\" height=\"9\" fill=\"{entry.Color}\"/>\n"));
            }
            else
            {
                svg.Append(Invariant($"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 18}\" y2=\"{ly - 4}\" stroke=\"{entry.Color}\" stroke-width=\"2.5\"/>\n"));
            }

            Text(svg, lx + 26, ly, entry.Text, size: 11);
        }
    }

    private static IReadOnlyList<(double, string)> NumericTicks(ChartScale scale)
        => scale.Ticks().Select(tick => (tick, tick.ToString("F" + scale.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))).ToList();

    private static void Axes(StringBuilder svg, ChartScale x, ChartScale y, IReadOnlyList<(double Value, string Label)> xTicks, string xLabel, string yLabel)
    {
        double top = y.PixelEnd;
        double bottom = y.PixelStart;
        foreach (double tick in y.Ticks())
        {
            double py = y.Map(tick);
            string stroke = Math.Abs(tick) < y.Step / 2 ? "#888" : "#e6e6e6";
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{py:F2}\" x2=\"{Right}\" y2=\"{py:F2}\" stroke=\"{stroke}\"/>\n"));
            Text(svg, Left - 8, py + 4, tick.ToString("F" + y.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), size: 11, anchor: "end", color: "#444");
        }

        foreach ((double value, string label) in xTicks)
        {
            double px = x.Map(value);
            svg.Append(Invariant($"<line x1=\"{px:F2}\" y1=\"{bottom}\" x2=\"{px:F2}\" y2=\"{bottom + 5}\" stroke=\"#888\"/>\n"));
            Text(svg, px, bottom + 18, label, size: 11, anchor: "middle", color: "#444");
        }

        svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{top}\" width=\"{Right - Left}\" height=\"{bottom - top}\" fill=\"none\" stroke=\"#888\"/>\n"));
        Text(svg, (Left + Right) / 2, bottom + 36, xLabel, size: 11, anchor: "middle", color: "#444");
        svg.Append(Invariant($"<text transform=\"translate({Left - 52},{(top + bottom) / 2:F2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">{Escape(yLabel)}</text>\n"));
    }

    private enum LegendMark
    {
        Bar,
        Line,
    }

    private readonly record struct LegendEntry(string Color, LegendMark Mark, string Text);

    private static void Polyline(StringBuilder svg, double[] xs, double[] ys, ChartScale x, ChartScale y, string color, double width, bool dashed)
    {
        var points = new StringBuilder();
        for (int i = 0; i < xs.Length; i++)
        {
            if (double.IsFinite(ys[i]))
            {
                points.Append(Invariant($"{x.Map(xs[i]):F2},{y.Map(ys[i]):F2} "));
            }
        }

        string dash = dashed ? " stroke-dasharray=\"6 4\"" : "";
        svg.Append(Invariant($"<polyline points=\"{points.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{width}\" stroke-linejoin=\"round\"{dash}/>\n"));
    }

    private static void Text(StringBuilder svg, double x, double y, string text, double size, string anchor = "start", string weight = "normal", string color = "#222") =>
        svg.Append(Invariant($"<text x=\"{x:F2}\" y=\"{y:F2}\" font-size=\"{size}\" font-weight=\"{weight}\" text-anchor=\"{anchor}\" fill=\"{color}\">{Escape(text)}</text>\n"));

    // Column names and paths come from the user's file, so every text is escaped.
    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
