namespace FixedRnn.Demo;

/// <summary>What the user asked for on the command line, validated.</summary>
/// <param name="DataPath">The CSV file to read, or null for the bundled EuStockMarkets.csv.</param>
/// <param name="Column">The price column to forecast.</param>
/// <param name="Epochs">The most training epochs per network.</param>
/// <param name="Seed">Seeds every network's initial weights.</param>
/// <param name="OutputDirectory">Where the chart and the forecasts go.</param>
public sealed record DemoOptions(string? DataPath, string Column, int Epochs, int Seed, string OutputDirectory);
