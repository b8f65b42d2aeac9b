using System;
using System.Diagnostics;
using System.Linq;

namespace FixedRnn.Benchmarks.Reporting;

/// <summary>Times repeated calls of a tick for the commands that interleave two implementations in rounds.</summary>
internal static class TickTimer
{
    /// <summary>
    /// Runs <paramref name="tick"/> for half a second (so tiered compilation has replaced its first code), then
    /// returns how many ticks take about <paramref name="milliseconds"/>.
    /// </summary>
    public static int Calibrate(Action tick, int milliseconds)
    {
        var warmup = Stopwatch.StartNew();
        while (warmup.ElapsedMilliseconds < 500)
        {
            tick();
        }

        int ticks = 1;
        while (true)
        {
            double elapsed = NsPerTick(tick, ticks) * ticks / 1e6;
            if (elapsed >= milliseconds / 4.0)
            {
                return Math.Max(1, (int)(ticks * milliseconds / elapsed));
            }

            ticks *= 2;
        }
    }

    /// <summary>Runs <paramref name="ticks"/> ticks and returns the mean time of one, in ns.</summary>
    public static double NsPerTick(Action tick, int ticks)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < ticks; i++)
        {
            tick();
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / ticks;
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(double[] values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
