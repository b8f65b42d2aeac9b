using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace FixedRnn.Demo;

/// <summary>
/// Writes the test part's forecasts next to the actual closes, one row per day, so the table's numbers
/// can be recomputed or plotted with any other tool.
/// </summary>
public static class PredictionsCsv
{
    /// <summary>Writes the file to <paramref name="path"/>.</summary>
    public static void Write(string path, ForecastDataset data, IReadOnlyList<ModelOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(outcomes);
        double[] actual = ForecastEvaluation.Actual(data);
        double[] persistence = ForecastEvaluation.Persistence(data);
        double[] drift = ForecastEvaluation.Drift(data);

        var text = new StringBuilder();
        text.Append(data.Series.Time is null ? "row" : "time").Append(",actual,persistence,drift");
        foreach (ModelOutcome outcome in outcomes)
        {
            text.Append(',').Append(outcome.Model.Spec.Name);
        }

        text.Append('\n');
        for (int i = 0; i < data.TestCount; i++)
        {
            text.Append(Format(data.TargetTime(data.TestStart + i)))
                .Append(',').Append(Format(actual[i]))
                .Append(',').Append(Format(persistence[i]))
                .Append(',').Append(Format(drift[i]));
            foreach (ModelOutcome outcome in outcomes)
            {
                text.Append(',').Append(Format(outcome.TestPrices[i]));
            }

            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
