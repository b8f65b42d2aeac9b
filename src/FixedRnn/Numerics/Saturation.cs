using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedRnn.Numerics;

/// <summary>
/// Keeps the values a kernel multiplies by its weights finite and bounded, so that inputs of ±∞ or of
/// absurd magnitude cannot turn a dot product into <c>∞ − ∞ = NaN</c>.
/// </summary>
/// <remarks>
/// Values are clamped to ±<see cref="Limit"/>: any product with a weight of magnitude below 3.4e8 stays
/// finite, a sum of such products can only overflow to ±∞ (never NaN), and sigmoid and tanh map ±∞ to
/// their bounds. NaN is not a magnitude and passes through unchanged: a NaN input makes the step's
/// outputs and the carried state NaN until the state is reset, as in PyTorch.
/// </remarks>
public static class Saturation
{
    /// <summary>The largest magnitude a kernel multiplies by its weights: 1e30.</summary>
    public const float Limit = 1e30f;

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, clamped to ±<see cref="Limit"/>; NaN stays NaN.</summary>
    /// <param name="source">The values.</param>
    /// <param name="destination">At least as long as <paramref name="source"/>.</param>
    public static void Clamp(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        }

        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> upper = Vector128.Create(Limit);
            Vector128<float> lower = Vector128.Create(-Limit);
            for (; i + Vector128<float>.Count <= source.Length; i += Vector128<float>.Count)
            {
                // Max and Min propagate NaN (IEEE 754-2019 maximum and minimum).
                Vector128.Min(Vector128.Max(Vector128.Create(source.Slice(i)), lower), upper).CopyTo(destination.Slice(i));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = Clamp(source[i]);
        }
    }

    /// <summary>Clamps one value to ±<see cref="Limit"/>; NaN stays NaN.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The clamped value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Clamp(float value) => MathF.Min(MathF.Max(value, -Limit), Limit);
}
