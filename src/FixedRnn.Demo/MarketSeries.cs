namespace FixedRnn.Demo;

/// <summary>One numeric column of a CSV file, in file order.</summary>
/// <param name="Source">Where the values came from (a path), for messages.</param>
/// <param name="Column">The column's header.</param>
/// <param name="Values">The values, one per data row; all finite.</param>
/// <param name="Time">
/// The file's <c>time</c> column (R's fractional years), when it has one and every cell is a number;
/// it only labels the chart's axis, so a file without one still works.
/// </param>
public sealed record MarketSeries(string Source, string Column, double[] Values, double[]? Time)
{
    /// <summary>The number of data rows.</summary>
    public int Length => Values.Length;
}
