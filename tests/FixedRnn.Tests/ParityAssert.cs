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

    /// <summary>
    /// Asserts <c>|a − b| ≤ max(1e-4 · max|b|, 1e-6)</c> element-wise and returns <c>max|a − b| / max|b|</c>, for
    /// gradients against autograd. The relative error is taken against the tensor's largest magnitude: a gradient is
    /// a sum over every step, and its small elements come from cancellation, where float32 rounding (in PyTorch's
    /// reference as much as here) is relative to the terms, not to the small result.
    /// </summary>
    public static double GradientsClose(float[] expected, float[] actual, string what)
    {
        const double Relative = 1e-4;
        const double AbsoluteFloor = 1e-6;
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float value in expected)
        {
            scale = Math.Max(scale, Math.Abs(value));
        }

        double allowed = Math.Max(Relative * scale, AbsoluteFloor);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (|error| {error:E2} > {allowed:E2}, the tensor's largest magnitude being {scale:E2}).");
            worst = Math.Max(worst, error);
        }

        return worst / Math.Max(scale, AbsoluteFloor / Relative);
    }

    /// <summary>
    /// A folded gate's bias gradient is exported in <c>bias_ih</c>, its <c>bias_hh</c> as zero. PyTorch's two
    /// gradients of such a gate are one sum, so there <paramref name="biasHh"/> takes PyTorch's <c>bias_ih</c>
    /// gradient, <paramref name="torchBiasIh"/>, before the comparison.
    /// </summary>
    public static void UnfoldBiasGradient(float[] biasHh, float[] torchBiasIh)
    {
        for (int i = 0; i < biasHh.Length; i++)
        {
            if (biasHh[i] == 0)
            {
                biasHh[i] = torchBiasIh[i];
            }
        }
    }
}
