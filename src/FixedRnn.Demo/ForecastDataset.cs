using System;

namespace FixedRnn.Demo;

/// <summary>
/// The learning problem built from a price series: at each day the networks see that day's log return
/// and predict the next day's, both standardized with the mean and standard deviation of the training
/// part only. Pairs are split in time order into training, validation and test parts.
/// </summary>
/// <remarks>
/// Why returns and not prices: index levels trend out of the range seen in training (the DAX tripled
/// between 1991 and 1998), so a network trained on standardized levels would be extrapolating far outside
/// its inputs' range during the test years, and its failure would say nothing about recurrent
/// networks. Returns keep a stable scale, so training statistics remain meaningful on the test years.
/// Forecasts are still judged on the price: a predicted return r̂ gives tomorrow's close as
/// today's close × exp(r̂), next to persistence (tomorrow's close = today's, the random walk).
/// </remarks>
public sealed class ForecastDataset
{
    /// <summary>Fraction of the pairs used for training; the validation part is as long as the test part.</summary>
    public const double TrainingFraction = 0.70;

    /// <summary>Fraction of the pairs used for validation (early stopping).</summary>
    public const double ValidationFraction = 0.15;

    private ForecastDataset(MarketSeries series, float[] inputs, float[] targets, int trainingCount, int validationCount, double mean, double standardDeviation)
    {
        Series = series;
        Inputs = inputs;
        Targets = targets;
        TrainingCount = trainingCount;
        ValidationCount = validationCount;
        TestCount = inputs.Length - trainingCount - validationCount;
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <summary>The prices the problem was built from.</summary>
    public MarketSeries Series { get; }

    /// <summary>Standardized log return of day t + 1 (pair t's input), for every pair in time order.</summary>
    public float[] Inputs { get; }

    /// <summary>Standardized log return of day t + 2 (pair t's target), for every pair in time order.</summary>
    public float[] Targets { get; }

    /// <summary>Pairs in the training part, the first ones.</summary>
    public int TrainingCount { get; }

    /// <summary>Pairs in the validation part, right after the training part.</summary>
    public int ValidationCount { get; }

    /// <summary>Pairs in the test part, the last ones.</summary>
    public int TestCount { get; }

    /// <summary>The index of the first test pair.</summary>
    public int TestStart => TrainingCount + ValidationCount;

    /// <summary>Mean daily log return over the training part.</summary>
    public double Mean { get; }

    /// <summary>Standard deviation of the daily log return over the training part.</summary>
    public double StandardDeviation { get; }

    /// <summary>Builds the problem from <paramref name="series"/>.</summary>
    /// <exception cref="DataFormatException">A price is not positive, or the training part's returns are constant.</exception>
    public static ForecastDataset FromPrices(MarketSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        double[] prices = series.Values;
        for (int i = 0; i < prices.Length; i++)
        {
            if (prices[i] <= 0)
            {
                throw new DataFormatException($"column '{series.Column}' of '{series.Source}' has the non-positive value {prices[i]} in data row {i + 1}; log returns need positive prices.");
            }
        }

        var returns = new double[prices.Length - 1];
        for (int i = 0; i < returns.Length; i++)
        {
            returns[i] = Math.Log(prices[i + 1] / prices[i]);
        }

        int pairs = returns.Length - 1;
        int training = (int)(pairs * TrainingFraction);
        int validation = (int)(pairs * ValidationFraction);

        // Statistics from the training inputs only: using later returns would leak the test years'
        // volatility into the model's inputs.
        double mean = 0;
        for (int i = 0; i < training; i++)
        {
            mean += returns[i];
        }

        mean /= training;
        double variance = 0;
        for (int i = 0; i < training; i++)
        {
            variance += (returns[i] - mean) * (returns[i] - mean);
        }

        double deviation = Math.Sqrt(variance / (training - 1));
        if (!(deviation > 1e-12))
        {
            throw new DataFormatException($"column '{series.Column}' of '{series.Source}' does not change over its training part; there is nothing to learn.");
        }

        var inputs = new float[pairs];
        var targets = new float[pairs];
        for (int t = 0; t < pairs; t++)
        {
            inputs[t] = (float)((returns[t] - mean) / deviation);
            targets[t] = (float)((returns[t + 1] - mean) / deviation);
        }

        return new ForecastDataset(series, inputs, targets, training, validation, mean, deviation);
    }

    /// <summary>Turns a standardized prediction back into a log return.</summary>
    public double ToLogReturn(float standardized) => Mean + (StandardDeviation * standardized);

    /// <summary>The close on the day pair <paramref name="pair"/> is made: the last price a forecaster knows.</summary>
    public double LastKnownPrice(int pair) => Series.Values[pair + 1];

    /// <summary>The close pair <paramref name="pair"/> predicts.</summary>
    public double TargetPrice(int pair) => Series.Values[pair + 2];

    /// <summary>The actual log return pair <paramref name="pair"/> predicts.</summary>
    public double TargetLogReturn(int pair) => Math.Log(TargetPrice(pair) / LastKnownPrice(pair));

    /// <summary>The time label of the day pair <paramref name="pair"/> predicts: the file's time column, or the data row.</summary>
    public double TargetTime(int pair) => Series.Time is { } time ? time[pair + 2] : pair + 3;
}
