using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace FixedRnn.Demo;

/// <summary>
/// Dates for a time column that holds fractional years, as R's <c>time()</c> writes them (1997.5 is
/// mid-1997): the chart labels its axis with months instead of numbers like 1997.6.
/// </summary>
/// <remarks>
/// For <c>EuStockMarkets</c> R counts 260 business days to a year, so a date read from its index is
/// approximate (R does not ship the calendar dates); the chart says so next to the axis.
/// </remarks>
public static class TimeAxis
{
    private static readonly int[] MonthSteps = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600];

    /// <summary>Whether every value reads as a year of the common era (1000 to 2999), so the column is fractional years.</summary>
    public static bool HoldsYears(IReadOnlyList<double>? times) => times is { Count: > 0 } && times.All(t => t is >= 1000 and < 3000);

    /// <summary>The date <paramref name="year"/> falls on: its whole part is the year, its fraction the part of that year gone by.</summary>
    public static DateTime ToDate(double year)
    {
        int whole = (int)Math.Floor(year);
        return new DateTime(whole, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays((year - whole) * DaysIn(whole));
    }

    /// <summary>The fractional year of <paramref name="date"/>, the inverse of <see cref="ToDate"/>.</summary>
    public static double ToYear(DateTime date) => date.Year + ((date - new DateTime(date.Year, 1, 1, 0, 0, 0, date.Kind)).TotalDays / DaysIn(date.Year));

    /// <summary>
    /// Ticks on the first day of a month between <paramref name="low"/> and <paramref name="high"/> (fractional
    /// years), every 1, 2, 3, 6 or 12 months or a multiple of years, the finest step that gives at most
    /// <paramref name="maxTicks"/>; labelled "Jul 1997" below a year's step and "1997" from there.
    /// </summary>
    public static IReadOnlyList<(double Year, string Label)> MonthTicks(double low, double high, int maxTicks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTicks, 2);
        if (!(low <= high))
        {
            return [];
        }

        DateTime first = ToDate(low);
        DateTime last = ToDate(high);
        int firstMonth = MonthIndex(first) + (first.Day == 1 && first.TimeOfDay == TimeSpan.Zero ? 0 : 1);
        int lastMonth = MonthIndex(last);
        foreach (int step in MonthSteps)
        {
            int start = (int)Math.Ceiling(firstMonth / (double)step) * step;
            if (start > lastMonth || (lastMonth - start) / step + 1 <= maxTicks)
            {
                var ticks = new List<(double, string)>();
                for (int month = start; month <= lastMonth; month += step)
                {
                    var date = new DateTime(month / 12, (month % 12) + 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
                    ticks.Add((ToYear(date), date.ToString(step < 12 ? "MMM yyyy" : "yyyy", CultureInfo.InvariantCulture)));
                }

                return ticks;
            }
        }

        return [];
    }

    /// <summary>"Jul 1991 – Aug 1998": the span of a column of fractional years, for the console report.</summary>
    public static string Span(double first, double last)
        => string.Create(CultureInfo.InvariantCulture, $"{ToDate(first):MMM yyyy} – {ToDate(last):MMM yyyy}");

    private static int MonthIndex(DateTime date) => (date.Year * 12) + date.Month - 1;

    private static int DaysIn(int year) => DateTime.IsLeapYear(year) ? 366 : 365;
}
