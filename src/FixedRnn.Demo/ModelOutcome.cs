namespace FixedRnn.Demo;

/// <summary>Everything the report shows about one network.</summary>
/// <param name="Model">The trained network, its history and its test forecasts.</param>
/// <param name="TestPrices">The forecast closes for the test days.</param>
/// <param name="Score">Those forecasts against the actual closes and persistence.</param>
/// <param name="Latency">Per-tick Step latency and allocation.</param>
public sealed record ModelOutcome(TrainedModel Model, double[] TestPrices, ForecastScore Score, LatencyStats Latency);
