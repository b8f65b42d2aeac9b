using System;
using Xunit;

namespace FixedRnn.Tests;

internal static class ParityAssert
{
    /// <summary>Asserts <c>max |actual − expected| ≤ tolerance</c> and returns that maximum.</summary>
    public static double MaxAbsError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (!(error <= worst))
            {
                worst = error;
                worstIndex = i;
            }
        }

        Assert.True(
            worst <= tolerance,
            $"{what}: max abs error {worst:E3} at index {worstIndex} (expected {(worstIndex >= 0 ? expected[worstIndex] : 0)}, got {(worstIndex >= 0 ? actual[worstIndex] : 0)}) exceeds {tolerance:E1}.");
        return worst;
    }

    /// <summary>Asserts <c>|actual − expected| ≤ max(relative·|expected|, absolute)</c> element by element.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, double absolute, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(
                error <= Math.Max(relative * Math.Abs(expected[i]), absolute),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {error:E2}).");
        }
    }
}
