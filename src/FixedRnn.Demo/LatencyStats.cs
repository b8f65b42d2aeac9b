namespace FixedRnn.Demo;

/// <summary>Per-tick latency of <c>Step</c> as a trading loop sees it.</summary>
/// <param name="Ticks">Timed ticks (after warm-up).</param>
/// <param name="P50Nanoseconds">Median.</param>
/// <param name="P99Nanoseconds">99th percentile.</param>
/// <param name="P999Nanoseconds">99.9th percentile: one tick in a thousand is slower.</param>
/// <param name="MaxNanoseconds">The slowest tick.</param>
/// <param name="AllocatedBytes">Bytes this thread allocated during the timed loop.</param>
public sealed record LatencyStats(int Ticks, double P50Nanoseconds, double P99Nanoseconds, double P999Nanoseconds, double MaxNanoseconds, long AllocatedBytes);
