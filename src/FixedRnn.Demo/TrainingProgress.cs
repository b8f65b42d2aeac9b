using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using FixedRnn.Training;
using Spectre.Console;

namespace FixedRnn.Demo;

/// <summary>Trains the networks one after another under a progress display: one bar per network, advanced per epoch.</summary>
public static class TrainingProgress
{
    /// <summary>Trains every spec in <paramref name="specs"/> and returns the trained networks in the same order.</summary>
    public static IReadOnlyList<TrainedModel> TrainAll(IAnsiConsole console, IReadOnlyList<ModelSpec> specs, ForecastDataset data, TrainingSettings settings)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return TrainAllPlain(console, specs, data, settings);
        }

        var trained = new List<TrainedModel>(specs.Count);
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn())
            .Start(context =>
            {
                // All bars exist from the start, so the reader sees what is still to come.
                var tasks = new List<ProgressTask>(specs.Count);
                foreach (ModelSpec spec in specs)
                {
                    tasks.Add(context.AddTask(Waiting(spec, settings), autoStart: false, maxValue: settings.Epochs));
                }

                for (int i = 0; i < specs.Count; i++)
                {
                    ModelSpec spec = specs[i];
                    ProgressTask task = tasks[i];
                    task.StartTask();
                    TrainedModel model = spec.Train(data, settings, report =>
                    {
                        task.Value = report.Epoch;
                        task.Description = Running(spec, report);
                    });

                    // Early stopping ends a bar short of its planned epochs; fill it and say so, so a
                    // finished bar never looks stalled.
                    task.Description = Finished(spec, model);
                    task.Value = task.MaxValue;
                    task.StopTask();
                    trained.Add(model);
                }
            });
        return trained;
    }

    /// <summary>
    /// Output to a file or a CI log cannot redraw bars, and Spectre's fallback prints partial snapshots;
    /// one line per finished network reads better there.
    /// </summary>
    private static List<TrainedModel> TrainAllPlain(IAnsiConsole console, IReadOnlyList<ModelSpec> specs, ForecastDataset data, TrainingSettings settings)
    {
        var trained = new List<TrainedModel>(specs.Count);
        foreach (ModelSpec spec in specs)
        {
            long started = Stopwatch.GetTimestamp();
            TrainedModel model = spec.Train(data, settings, static _ => { });
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Trained {Finished(spec, model)}  ({seconds:F1} s)"));
            trained.Add(model);
        }

        return trained;
    }

    private static string Waiting(ModelSpec spec, TrainingSettings settings) =>
        $"{Name(spec)} waiting, up to {settings.Epochs} epochs";

    private static string Running(ModelSpec spec, EpochReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"{Name(spec)} epoch {report.Epoch,3}/{report.Epochs}  train {report.TrainingLoss:F4}  val {report.ValidationLoss:F4}");

    private static string Finished(ModelSpec spec, TrainedModel model)
    {
        TrainingResult result = model.Training;
        string ending = result.StoppedEarly ? $"stopped at {result.History.Count}" : $"ran {result.History.Count}";
        return model.KeptEpoch is { } kept
            ? string.Create(CultureInfo.InvariantCulture, $"{Name(spec)} kept epoch {kept.Epoch,3} ({ending})  train {kept.TrainingLoss:F4}  val {kept.ValidationLoss:F4}")
            : $"{Name(spec)} [red]no epoch had a finite validation loss[/] ({ending}); initial weights kept";
    }

    private static string Name(ModelSpec spec) => $"[bold {spec.Color}]{spec.Name,-4}[/]";
}
