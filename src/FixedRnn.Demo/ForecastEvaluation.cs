using System;

namespace FixedRnn.Demo;

/// <summary>
/// Scores test-part forecasts on the price itself, against persistence: the forecast every model
/// must beat on a price series, because a random walk's best forecast of tomorrow is today.
/// </summary>
public static class ForecastEvaluation
{
    /// <summary>Tomorrow's close implied by standardized return forecasts: today's close × exp(r̂).</summary>
    public static double[] PricesFromReturns(ForecastDataset data, float[] standardizedForecasts)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(standardizedForecasts);
        var prices = new double[data.TestCount];
        for (int i = 0; i < prices.Length; i++)
        {
            int pair = data.TestStart + i;
            prices[i] = data.LastKnownPrice(pair) * Math.Exp(data.ToLogReturn(standardizedForecasts[i]));
        }

        return prices;
    }

    /// <summary>Persistence: tomorrow's close is today's.</summary>
    public static double[] Persistence(ForecastDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var prices = new double[data.TestCount];
        for (int i = 0; i < prices.Length; i++)
        {
            prices[i] = data.LastKnownPrice(data.TestStart + i);
        }

        return prices;
    }

    /// <summary>
    /// Drift: today's close grown by the training part's mean daily return. A network that only learned
    /// the mean would score like this, so it separates learning the trend from learning the dynamics.
    /// </summary>
    public static double[] Drift(ForecastDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var prices = Persistence(data);
        double growth = Math.Exp(data.Mean);
        for (int i = 0; i < prices.Length; i++)
        {
            prices[i] *= growth;
        }

        return prices;
    }

    /// <summary>The actual closes the test pairs predict.</summary>
    public static double[] Actual(ForecastDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var prices = new double[data.TestCount];
        for (int i = 0; i < prices.Length; i++)
        {
            prices[i] = data.TargetPrice(data.TestStart + i);
        }

        return prices;
    }

    /// <summary>Scores <paramref name="forecasts"/> (test-part closes) against the actual closes and persistence.</summary>
    public static ForecastScore Score(ForecastDataset data, double[] forecasts)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(forecasts);
        double[] actual = Actual(data);
        double[] persistence = Persistence(data);
        int n = actual.Length;

        // Diebold–Mariano on the per-day difference of squared errors. One-step-ahead forecast errors
        // are taken as serially uncorrelated, so the variance of the mean difference is var(d) / n.
        var difference = new double[n];
        double mse = 0;
        double persistenceMse = 0;
        for (int i = 0; i < n; i++)
        {
            double error = forecasts[i] - actual[i];
            double persistenceError = persistence[i] - actual[i];
            mse += error * error;
            persistenceMse += persistenceError * persistenceError;
            difference[i] = (error * error) - (persistenceError * persistenceError);
        }

        mse /= n;
        persistenceMse /= n;
        double meanDifference = mse - persistenceMse;
        double variance = 0;
        foreach (double d in difference)
        {
            variance += (d - meanDifference) * (d - meanDifference);
        }

        variance /= n - 1;
        double pValue = variance > 0 ? TwoSidedNormalPValue(meanDifference / Math.Sqrt(variance / n)) : double.NaN;
        return new ForecastScore(mse, persistenceMse, pValue);
    }

    /// <summary>P(|Z| ≥ |z|) for a standard normal Z, through erfc.</summary>
    private static double TwoSidedNormalPValue(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function, by the Chebyshev fit of Numerical Recipes (erfcc): relative error
    /// below 1.2e-7 everywhere, far finer than a p-value needs, and no dependency for one function.
    /// </summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        ReadOnlySpan<double> coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        double polynomial = 0;
        for (int i = coefficients.Length - 1; i >= 0; i--)
        {
            polynomial = coefficients[i] + (t * polynomial);
        }

        double r = t * Math.Exp(-(z * z) + polynomial);
        return x >= 0 ? r : 2 - r;
    }
}
