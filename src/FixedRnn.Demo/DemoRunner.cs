using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Spectre.Console;

namespace FixedRnn.Demo;

/// <summary>
/// The demo from start to end: load the series, describe the task, train under progress bars, time
/// the trained networks, print the tables and write the chart and the forecasts.
/// </summary>
public static class DemoRunner
{
    /// <summary>Exit code for data that cannot be used or output that cannot be written.</summary>
    public const int UnusableDataOrOutput = 1;

    /// <summary>The bundled data file, copied beside the program by the build.</summary>
    public static string BundledDataPath => Path.Combine(AppContext.BaseDirectory, "Data", "EuStockMarkets.csv");

    /// <summary>Runs the demo; returns the process exit code.</summary>
    public static int Run(DemoOptions options, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            return RunChecked(options, console);
        }
        catch (Exception e) when (e is DataFormatException or OutputException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UnusableDataOrOutput;
        }
    }

    private static int RunChecked(DemoOptions options, IAnsiConsole console)
    {
        MarketSeries series = CsvLoader.Load(options.DataPath ?? BundledDataPath, options.Column);
        ForecastDataset data = ForecastDataset.FromPrices(series);
        OutputDirectory output = OutputDirectory.Create(options.OutputDirectory);
        var settings = new TrainingSettings(options.Epochs, options.Seed);

        string sourceLabel = options.DataPath is null ? "EuStockMarkets.csv (R datasets, bundled)" : series.Source;
        console.Write(ReportNotes.Task(data, sourceLabel, settings, ModelSpec.All));
        IReadOnlyList<TrainedModel> trained = TrainingProgress.TrainAll(console, ModelSpec.All, data, settings);

        // Timing runs after the progress display has stopped, so its refresh thread is not competing.
        console.MarkupLine(Invariant($"[grey]Timing Step tick by tick: each network replays the {data.TestCount} test days until {LatencyMeter.DefaultTicks:N0} ticks are timed…[/]"));
        var outcomes = new List<ModelOutcome>(trained.Count);
        foreach (TrainedModel model in trained)
        {
            double[] prices = ForecastEvaluation.PricesFromReturns(data, model.TestForecasts);
            LatencyStats latency = model.MeasureLatency(data.Inputs.AsSpan(data.TestStart));
            outcomes.Add(new ModelOutcome(model, prices, ForecastEvaluation.Score(data, prices), latency));
        }

        double timerOverhead = LatencyMeter.TimerOverheadNanoseconds();
        ForecastScore drift = ForecastEvaluation.Score(data, ForecastEvaluation.Drift(data));

        console.WriteLine();
        console.Write(ReportTable.Accuracy(data, outcomes, drift));
        console.MarkupLine(ReportNotes.AccuracyLegend());
        console.MarkupLine(ReportNotes.Conclusion(data, outcomes));
        console.WriteLine();
        console.Write(ReportTable.Latency(outcomes));
        console.MarkupLine(ReportNotes.LatencyLegend(outcomes, timerOverhead));

        string chart = output.Write("fixedrnn-demo.svg", path => File.WriteAllText(path, SvgChart.Render(data, outcomes)));
        string predictions = output.Write("predictions.csv", path => PredictionsCsv.Write(path, data, outcomes));
        console.WriteLine();
        console.MarkupLine($"Chart:     {Link(chart)}");
        console.MarkupLine($"Forecasts: {Link(predictions)}");
        return 0;
    }

    // Terminals that support hyperlinks open a file:// link with a click; others show the plain path.
    private static string Link(string path) => $"[link={Markup.Escape(new Uri(path).AbsoluteUri)}]{Markup.Escape(path)}[/]";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
