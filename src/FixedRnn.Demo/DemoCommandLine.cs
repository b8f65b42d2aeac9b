using System;
using System.CommandLine;
using System.Globalization;

namespace FixedRnn.Demo;

/// <summary>
/// The command line: options, their defaults and validation, and the rule that a usage error is one
/// line on stderr and exit code 2, never a help dump or a stack trace.
/// </summary>
public static class DemoCommandLine
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>The most epochs accepted: beyond this the demo would run for many minutes and early stopping decides anyway.</summary>
    public const int MaxEpochs = 10_000;

    /// <summary>
    /// Parses <paramref name="args"/> and runs <paramref name="run"/> (the default command) or
    /// <paramref name="runKeras"/> (the <c>keras</c> command) with the options, or reports the first error.
    /// </summary>
    public static int Invoke(string[] args, Func<DemoOptions, int> run, Func<KerasOptions, int> runKeras)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(runKeras);
        var (data, column, epochs, seed) = DataOptions();
        var output = new Option<string>("--out")
        {
            Description = "Directory for the chart (SVG) and the forecasts (CSV)",
            HelpName = "dir",
            DefaultValueFactory = _ => "fixedrnn-demo-output",
        };
        output.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--out needs a directory path.");
            }
        });

        var root = new RootCommand(
            "Trains an LSTM, a GRU and a vanilla RNN (FixedRnn, 32 units each) to forecast tomorrow's close of a " +
            "daily price series from its daily log returns, compares them with persistence (tomorrow = today), " +
            "times Step tick by tick and writes a chart. Exit codes: 0 done, 1 unusable data or output, 2 bad command line.");
        root.Options.Add(data);
        root.Options.Add(column);
        root.Options.Add(epochs);
        root.Options.Add(seed);
        root.Options.Add(output);
        root.SetAction(result => run(new DemoOptions(
            result.GetValue(data),
            result.GetValue(column)!,
            result.GetValue(epochs),
            result.GetValue(seed),
            result.GetValue(output)!)));

        var (kerasData, kerasColumn, kerasEpochs, kerasSeed) = DataOptions();
        var keras = new Command(
            "keras",
            "The lecture's Keras workflow on the same data: windows of 10 daily returns → the next, LSTM(50) + Dense(1), " +
            "Adam, MSE, batch 32, validation_split 0.2, EarlyStopping(patience 10, restore_best_weights), trained by " +
            "BatchTrainer.Fit with progress; prints the result and the test MSE against the mean forecast.");
        keras.Options.Add(kerasData);
        keras.Options.Add(kerasColumn);
        keras.Options.Add(kerasEpochs);
        keras.Options.Add(kerasSeed);
        keras.SetAction(result => runKeras(new KerasOptions(
            result.GetValue(kerasData),
            result.GetValue(kerasColumn)!,
            result.GetValue(kerasEpochs),
            result.GetValue(kerasSeed))));
        root.Subcommands.Add(keras);

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // System.CommandLine would print every error and the whole help text; one line that names
            // the problem is easier to act on, and --help is there for the rest.
            Console.Error.WriteLine($"error: {parsed.Errors[0].Message} Run with --help for usage.");
            return UsageError;
        }

        return parsed.Invoke();
    }

    /// <summary>The options both commands take: the data, its column, the epochs and the seed.</summary>
    private static (Option<string?> Data, Option<string> Column, Option<int> Epochs, Option<int> Seed) DataOptions()
    {
        var data = new Option<string?>("--data")
        {
            Description = "CSV file with a header row; default: the bundled Data/EuStockMarkets.csv (R's EuStockMarkets)",
            HelpName = "csv",
        };
        var column = new Option<string>("--column")
        {
            Description = "Price column to forecast (positive values)",
            HelpName = "name",
            DefaultValueFactory = _ => "DAX",
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Most training epochs per network; early stopping usually ends sooner",
            HelpName = "n",
            DefaultValueFactory = _ => 100,

            // Parsing and range check in one place: a validator would run after a failed conversion
            // and throw while reading the value it cannot have.
            CustomParser = result =>
            {
                string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value is < 1 or > MaxEpochs)
                {
                    result.AddError($"--epochs must be a whole number from 1 to {MaxEpochs}, not '{token}'.");
                }

                return value;
            },
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the networks' initial weights; the same seed gives the same forecasts",
            HelpName = "n",
            DefaultValueFactory = _ => 42,
        };
        data.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && string.IsNullOrWhiteSpace(path))
            {
                result.AddError("--data needs a file path.");
            }
        });
        column.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--column needs a column name.");
            }
        });
        return (data, column, epochs, seed);
    }
}
