namespace FixedRnn.Demo;

/// <summary>How well a set of test-part price forecasts did, next to persistence.</summary>
/// <param name="MeanSquaredError">Mean squared error of the forecast close, in price units squared.</param>
/// <param name="PersistenceMeanSquaredError">The same for persistence (tomorrow's close = today's) on the same days.</param>
/// <param name="PValue">
/// Two-sided p-value of the Diebold–Mariano test that the two forecasts are equally accurate; NaN when
/// the forecasts are identical. Above 0.05, the difference is within what chance produces.
/// </param>
public sealed record ForecastScore(double MeanSquaredError, double PersistenceMeanSquaredError, double PValue)
{
    /// <summary>MSE over persistence's MSE: below 1 the forecast beats persistence.</summary>
    public double Ratio => MeanSquaredError / PersistenceMeanSquaredError;
}
