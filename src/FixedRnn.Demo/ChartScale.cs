using System;
using System.Collections.Generic;

namespace FixedRnn.Demo;

/// <summary>
/// Maps a data range onto a pixel range, with ticks at round values (1, 2 or 5 × a power of ten) so
/// that axis labels are numbers a reader can use.
/// </summary>
public sealed class ChartScale
{
    private ChartScale(double min, double max, double step, double pixelStart, double pixelEnd)
    {
        Min = min;
        Max = max;
        Step = step;
        PixelStart = pixelStart;
        PixelEnd = pixelEnd;
    }

    /// <summary>The lowest value on the axis.</summary>
    public double Min { get; }

    /// <summary>The highest value on the axis.</summary>
    public double Max { get; }

    /// <summary>The distance between ticks.</summary>
    public double Step { get; }

    /// <summary>The pixel coordinate of <see cref="Min"/>.</summary>
    public double PixelStart { get; }

    /// <summary>The pixel coordinate of <see cref="Max"/>.</summary>
    public double PixelEnd { get; }

    /// <summary>
    /// A scale covering [<paramref name="low"/>, <paramref name="high"/>] with about
    /// <paramref name="targetTicks"/> ticks, widened to the nearest ticks outside the range.
    /// </summary>
    public static ChartScale Nice(double low, double high, double pixelStart, double pixelEnd, int targetTicks = 6)
    {
        (low, high, double step) = Prepare(low, high, targetTicks);
        return new ChartScale(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step, pixelStart, pixelEnd);
    }

    /// <summary>
    /// A scale covering exactly [<paramref name="low"/>, <paramref name="high"/>], for axes such as time
    /// where widening to round values would leave empty margins; ticks fall on round values inside.
    /// </summary>
    public static ChartScale Tight(double low, double high, double pixelStart, double pixelEnd, int targetTicks = 6)
    {
        (low, high, double step) = Prepare(low, high, targetTicks);
        return new ChartScale(low, high, step, pixelStart, pixelEnd);
    }

    private static (double Low, double High, double Step) Prepare(double low, double high, int targetTicks)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high))
        {
            (low, high) = (0, 1);
        }

        if (high - low < 1e-12 * Math.Max(1, Math.Abs(high)))
        {
            // A flat series still needs a visible band around it.
            double pad = Math.Max(Math.Abs(high) * 0.05, 1e-6);
            (low, high) = (low - pad, high + pad);
        }

        double rough = (high - low) / Math.Max(1, targetTicks);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / magnitude;
        double step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
        return (low, high, step);
    }

    /// <summary>The pixel coordinate of <paramref name="value"/>.</summary>
    public double Map(double value) => PixelStart + ((value - Min) / (Max - Min) * (PixelEnd - PixelStart));

    /// <summary>The tick values: the multiples of <see cref="Step"/> from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IEnumerable<double> Ticks()
    {
        double first = Math.Ceiling((Min / Step) - 1e-9);
        double last = Math.Floor((Max / Step) + 1e-9);
        for (double k = first; k <= last; k++)
        {
            // Multiplying rather than accumulating keeps labels like 0.3 free of rounding residue.
            yield return k * Step;
        }
    }

    /// <summary>Decimals needed to tell the ticks apart.</summary>
    public int Decimals => Math.Max(0, (int)-Math.Floor(Math.Log10(Step) + 1e-9));
}
