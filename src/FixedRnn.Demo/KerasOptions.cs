namespace FixedRnn.Demo;

/// <summary>What the user asked of the <c>keras</c> command, validated.</summary>
/// <param name="DataPath">The CSV file to read, or null for the bundled EuStockMarkets.csv.</param>
/// <param name="Column">The price column to forecast.</param>
/// <param name="Epochs">The most epochs; early stopping usually ends sooner.</param>
/// <param name="Seed">Seeds the initial weights and the shuffling.</param>
public sealed record KerasOptions(string? DataPath, string Column, int Epochs, int Seed);
