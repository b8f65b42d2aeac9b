using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using FixedRnn.Training;
using Spectre.Console;

namespace FixedRnn.Demo;

/// <summary>
/// The <c>keras</c> command: the lecture's Keras workflow on a market series, trained by
/// <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> exactly as <c>model.fit</c> would run it:
/// <code>
/// model = Sequential([LSTM(50, input_shape=(10, 1)), Dense(1)])
/// model.compile(optimizer='adam', loss='mse')
/// model.fit(X, y, batch_size=32, epochs=100, validation_split=0.2,
///           callbacks=[EarlyStopping(patience=10, restore_best_weights=True)])
/// </code>
/// with <c>X</c> windows of 10 standardized daily log returns and <c>y</c> the next one.
/// </summary>
public static class KerasWorkflow
{
    /// <summary>Keras' <c>validation_split</c> in the lecture.</summary>
    public const double ValidationSplit = 0.2;

    /// <summary>Keras' default batch size.</summary>
    public const int BatchSize = 32;

    /// <summary>EarlyStopping's patience.</summary>
    public const int Patience = 10;

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(KerasOptions options, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            return RunChecked(options, console);
        }
        catch (DataFormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return DemoRunner.UnusableDataOrOutput;
        }
    }

    private static int RunChecked(KerasOptions options, IAnsiConsole console)
    {
        MarketSeries series = CsvLoader.Load(options.DataPath ?? DemoRunner.BundledDataPath, options.Column);
        WindowedReturns data = WindowedReturns.FromPrices(series, ValidationSplit);
        string source = options.DataPath is null ? "EuStockMarkets.csv (R datasets, bundled)" : Path.GetFileName(series.Source);
        console.MarkupLine(Invariant($"[bold]Keras workflow[/] on {Markup.Escape(series.Column)} from {Markup.Escape(source)}: {data.Count:N0} windows of {WindowedReturns.WindowLength} daily log returns → the next return (standardized)"));
        console.MarkupLine(Invariant($"[grey]LSTM(50) + Dense(1), Adam (lr 1e-3, Keras' epsilon 1e-7), MSE, batch {BatchSize}, shuffle (seed {options.Seed}), validation_split {ValidationSplit}: {data.TrainingCount:N0} training / {data.FitCount - data.TrainingCount:N0} validation windows, then {data.TestCount:N0} test windows no training step sees; EarlyStopping(patience {Patience}, restore_best_weights), up to {options.Epochs} epochs.[/]"));

        var model = new KerasLstmForecaster();
        model.Initialize(InitializationScheme.Keras, options.Seed);
        var trainer = new BatchTrainer<KerasLstmForecaster, KerasLstmForecaster.State, KerasLstmForecaster.Trace>(
            model, new Adam(KerasLstmForecaster.ParameterCount, learningRate: 1e-3f, epsilon: 1e-7f), WindowedReturns.WindowLength, BatchSize);
        int inputLength = WindowedReturns.WindowLength * KerasLstmForecaster.InputSize;
        ReadOnlySpan<float> fitWindows = data.Windows.AsSpan(0, data.FitCount * inputLength);
        ReadOnlySpan<float> fitTargets = data.NextReturns.AsSpan(0, data.FitCount);

        long started = Stopwatch.GetTimestamp();
        TrainingResult result = console.Profile.Capabilities.Interactive
            ? FitWithProgressBar(console, trainer, data, options, fitWindows.ToArray(), fitTargets.ToArray())
            : trainer.Fit(fitWindows, fitTargets, Options(options, onEpoch: report => console.WriteLine(EpochLine(report)), onBatch: null));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // The test part: the model's MSE against always predicting the training mean return (0 when standardized).
        ReadOnlySpan<float> testTargets = data.NextReturns.AsSpan(data.FitCount);
        float testLoss = trainer.Evaluate(data.Windows.AsSpan(data.FitCount * inputLength), testTargets, Losses.MeanSquaredError, BatchSize);
        float meanForecastLoss = Losses.MeanSquaredError(new float[testTargets.Length], testTargets, Span<float>.Empty);
        int epochs = result.History.Count;
        console.WriteLine();
        console.MarkupLine(Invariant($"[bold]Result[/]: {Markup.Escape(result.ToString())}"));
        console.MarkupLine(Invariant($"Test MSE {testLoss:F4} (standardized returns) against {meanForecastLoss:F4} for always predicting the training mean: ratio {testLoss / meanForecastLoss:F3}{(testLoss < meanForecastLoss ? "" : ", no better than the mean")}."));
        console.MarkupLine(Invariant($"[grey]{epochs} epochs in {seconds:F1} s: {1000 * seconds / epochs:F0} ms per epoch of {data.TrainingCount:N0} windows and {data.FitCount - data.TrainingCount:N0} validation windows, {1e6 * seconds / epochs / data.FitCount:F0} µs per window (progress display included).[/]"));
        return 0;
    }

    private static TrainingResult FitWithProgressBar(
        IAnsiConsole console,
        BatchTrainer<KerasLstmForecaster, KerasLstmForecaster.State, KerasLstmForecaster.Trace> trainer,
        WindowedReturns data,
        KerasOptions options,
        float[] windows,
        float[] targets)
    {
        int batches = ((data.TrainingCount - 1) / BatchSize) + 1;
        TrainingResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Invariant($"LSTM(50) up to {options.Epochs} epochs"), maxValue: (double)options.Epochs * batches);
                result = trainer.Fit(windows, targets, Options(
                    options,
                    onEpoch: report => task.Description = Markup.Escape(EpochLine(report)),
                    onBatch: _ => task.Increment(1)));
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static FitOptions Options(KerasOptions options, Action<EpochReport>? onEpoch, Action<BatchReport>? onBatch) => new()
    {
        Epochs = options.Epochs,
        BatchSize = BatchSize,
        Shuffle = true,
        Seed = options.Seed,
        ValidationSplit = ValidationSplit,
        EarlyStopping = new EarlyStopping { Patience = Patience, RestoreBestWeights = true },
        OnEpoch = onEpoch,
        OnBatch = onBatch,
    };

    private static string EpochLine(EpochReport report) =>
        Invariant($"epoch {report.Epoch}/{report.Epochs}: loss {report.TrainingLoss:F4}, val_loss {report.ValidationLoss:F4}{(report.IsBest ? " (best)" : "")}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
