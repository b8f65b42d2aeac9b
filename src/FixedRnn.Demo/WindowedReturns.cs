using System;
using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>
/// The lecture's data from a price series: daily log returns, standardized, cut into windows of
/// <see cref="WindowLength"/> returns each paired with the next return. The pairs stay in time order: the
/// first <see cref="FitCount"/> go to <c>Fit</c>, which holds out their last fraction for validation as Keras'
/// <c>validation_split</c> does, and the rest are a test part no training step sees.
/// </summary>
public sealed class WindowedReturns
{
    /// <summary>Returns per window: the lecture's <c>input_shape=(10, 1)</c>.</summary>
    public const int WindowLength = 10;

    /// <summary>The fraction of the pairs given to <c>Fit</c>; the rest are the test part.</summary>
    public const double FitFraction = 0.85;

    private WindowedReturns(float[] windows, float[] nextReturns, int fitCount, int trainingCount, double mean, double standardDeviation)
    {
        Windows = windows;
        NextReturns = nextReturns;
        FitCount = fitCount;
        TrainingCount = trainingCount;
        Mean = mean;
        StandardDeviation = standardDeviation;
    }

    /// <summary>The windows, <c>[N, 10, 1]</c>, of standardized returns.</summary>
    public float[] Windows { get; }

    /// <summary>The standardized return after each window, <c>[N, 1]</c>.</summary>
    public float[] NextReturns { get; }

    /// <summary>N, the number of pairs.</summary>
    public int Count => NextReturns.Length;

    /// <summary>The pairs given to <c>Fit</c>, the first ones.</summary>
    public int FitCount { get; }

    /// <summary>The pairs <c>Fit</c> trains on: the first <c>⌊FitCount · (1 − ValidationSplit)⌋</c>.</summary>
    public int TrainingCount { get; }

    /// <summary>The pairs of the test part, the last ones.</summary>
    public int TestCount => Count - FitCount;

    /// <summary>The mean daily log return of the training pairs' span, used to standardize.</summary>
    public double Mean { get; }

    /// <summary>The standard deviation of the daily log return over the same span.</summary>
    public double StandardDeviation { get; }

    /// <summary>Builds the pairs from <paramref name="series"/>.</summary>
    /// <param name="series">Prices, all positive.</param>
    /// <param name="validationSplit">The fraction of the <c>Fit</c> part that <c>Fit</c> will hold out.</param>
    /// <exception cref="DataFormatException">A price is not positive, the series is too short, or its returns are constant.</exception>
    public static WindowedReturns FromPrices(MarketSeries series, double validationSplit)
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

        int count = SequenceWindows.Count(returns.Length, WindowLength);
        int fitCount = (int)(count * FitFraction);
        int trainingCount = (int)Math.Floor(fitCount * (1.0 - validationSplit)); // as Fit (and Keras) will split
        if (trainingCount < 1 || fitCount - trainingCount < 1 || count - fitCount < 1)
        {
            throw new DataFormatException($"column '{series.Column}' of '{series.Source}' gives {count} windows of {WindowLength} returns, too few for training, validation and test parts.");
        }

        // Statistics of the returns the training pairs contain (their windows and targets) only: later returns
        // would leak the validation and test years' volatility into the inputs.
        int span = trainingCount + WindowLength;
        double mean = 0;
        for (int i = 0; i < span; i++)
        {
            mean += returns[i];
        }

        mean /= span;
        double variance = 0;
        for (int i = 0; i < span; i++)
        {
            variance += (returns[i] - mean) * (returns[i] - mean);
        }

        double deviation = Math.Sqrt(variance / (span - 1));
        if (!(deviation > 1e-12))
        {
            throw new DataFormatException($"column '{series.Column}' of '{series.Source}' does not change over its training part; there is nothing to learn.");
        }

        var standardized = new float[returns.Length];
        for (int i = 0; i < returns.Length; i++)
        {
            standardized[i] = (float)((returns[i] - mean) / deviation);
        }

        (float[] windows, float[] next) = SequenceWindows.Create(standardized, WindowLength);
        return new WindowedReturns(windows, next, fitCount, trainingCount, mean, deviation);
    }
}
