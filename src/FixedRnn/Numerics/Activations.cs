using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedRnn.Numerics;

/// <summary>Vectorized activation functions used by the generated kernels.</summary>
/// <remarks>
/// <para>
/// Every overload (scalar, <see cref="Vector128{T}"/>, <see cref="Vector256{T}"/> and <see cref="Vector512{T}"/>) runs the
/// same algorithm with the same constants, so all hardware paths agree to within float rounding; the only source of
/// difference is whether <c>MultiplyAddEstimate</c> is fused on the current hardware. The vector overloads use only
/// cross-platform vector APIs and no data-dependent branches, so they stay correct when hardware intrinsics are
/// disabled and the vector types fall back to software.
/// </para>
/// <para>
/// Both functions are built on a range-reduced exponential: <c>n = round(x·log2 e)</c>, <c>r = x − n·ln 2</c> with
/// <c>ln 2</c> split into a 15-bit high part and a low correction (Cody–Waite), a degree 6 near-minimax polynomial for
/// <c>e^r</c> on <c>|r| ≤ ln(2)/2</c>, and a scale by a power of two assembled from exponent bits.
/// <see cref="Sigmoid(float)"/> is <c>1 / (1 + e^−x)</c>. <see cref="Tanh(float)"/> is
/// <c>sign(x)·(1 − 2 / (e^(2|x|) + 1))</c> for <c>|x| ≥ 0.625</c> and an odd polynomial of degree 11 below that, so
/// tiny inputs keep full relative accuracy (<c>Tanh(1e-20f) == 1e-20f</c>).
/// </para>
/// <para>
/// Error against a double-precision reference (<c>1.0 / (1.0 + Math.Exp(-x))</c> and <c>Math.Tanh</c>), measured by an
/// exhaustive sweep of every non-NaN float (all 2^32 bit patterns) with fused multiply-add (scalar and all three vector
/// widths) and without it (scalar and <see cref="Vector128{T}"/> with AVX2 disabled); relative error is taken where the
/// true value is at least 1e-30 in magnitude:
/// <list type="bullet">
/// <item><description><see cref="Sigmoid(float)"/>: maximum absolute error below 9.0e-8 (measured 8.93e-8, about
/// 1.5 ulp of results just under 1), maximum relative error below 1.6e-7 (measured 1.57e-7, for large negative
/// inputs).</description></item>
/// <item><description><see cref="Tanh(float)"/>: maximum absolute error below 8.2e-8 (measured 8.17e-8), maximum
/// relative error below 1.5e-7 (measured 1.46e-7), both just above the hand-over at |x| = 0.625.</description></item>
/// </list>
/// In those sweeps every vector lane was bit-identical to the scalar overload on the same hardware path.
/// </para>
/// <para>
/// Saturation is exact: <c>Sigmoid(+∞) = 1</c>, <c>Sigmoid(−∞) = 0</c>, <c>Tanh(±∞) = ±1</c>, results stay within
/// [0, 1] and [−1, 1] for every non-NaN input, and no non-NaN input produces NaN. <see cref="Sigmoid(float)"/> flushes to
/// exactly 0 once <c>e^−x</c> overflows (<c>x</c> below about −88.7, where the true value is already subnormal), and
/// <see cref="Tanh(float)"/> keeps the sign of zero. A NaN input gives a NaN output.
/// </para>
/// </remarks>
public static class Activations
{
    // Keeps 2^(n - 1) a normal float at the bottom (n >= -125); below it e^x only feeds 1 + e^x in Sigmoid, where it
    // is already negligible.
    private const float ExpMinInput = -86.5f;

    // Allows n = 128 so e^x overflows to +Inf where the true value does (x > ~88.72) instead of saturating, which is
    // what makes Sigmoid(-Inf) exactly 0. Still small enough that n never exceeds 128.
    private const float ExpMaxInput = 89f;

    private const float Log2E = 1.44269504f;

    // ln 2 = Ln2High + Ln2Low with Ln2High holding only 15 significant bits, so n * Ln2High is exact for |n| <= 128
    // even when the multiply-add is not fused.
    private const float Ln2High = 0.693145752f;
    private const float Ln2Low = 1.42860677e-6f;

    // 2·e^r ≈ 2·(1 + r + r²·(E0 + E1·r + E2·r² + E3·r³ + E4·r⁴)) for |r| <= ln(2)/2; E* interpolate
    // (e^r − 1 − r) / r² at Chebyshev nodes, which keeps the truncation error near 1e-8 relative. The factor 2 (exact)
    // lets the scale be 2^(n - 1), which stays a normal float for n = 128.
    private const float TwoE4 = 2f * 0.0013926213f;
    private const float TwoE3 = 2f * 0.008363203f;
    private const float TwoE2 = 2f * 0.041666556f;
    private const float TwoE1 = 2f * 0.16666576f;
    private const float TwoE0 = 2f * 0.5f;
    private const float Two = 2f;

    // Below this the 1 - 2 / (e^(2|x|) + 1) form loses bits to cancellation (its worst error sits just above the
    // limit), so a polynomial takes over. 0.625 rather than a smaller limit keeps that error near 1.4 ulp while the
    // polynomial below needs no extra term.
    private const float TanhPolynomialLimit = 0.625f;

    // tanh(x) ≈ x + x³·(T0 + T1·t + T2·t² + T3·t³ + T4·t⁴) with t = x² on |x| <= 0.625; T* interpolate
    // (tanh(x)/x − 1) / x² at Chebyshev nodes in t (truncation error about 2e-8 relative).
    private const float T4 = -0.006094555f;
    private const float T3 = 0.020995695f;
    private const float T2 = -0.053850595f;
    private const float T1 = 0.13332768f;
    private const float T0 = -0.33333328f;

    private const int ExponentBiasMinusOne = 126;
    private const int MantissaBits = 23;

    /// <summary>Computes the logistic sigmoid <c>1 / (1 + e^−x)</c>.</summary>
    /// <param name="x">The input.</param>
    /// <returns>The sigmoid of <paramref name="x"/>, within [0, 1]; NaN when <paramref name="x"/> is NaN.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    /// <summary>Computes the hyperbolic tangent.</summary>
    /// <param name="x">The input.</param>
    /// <returns>
    /// The hyperbolic tangent of <paramref name="x"/>, within [−1, 1] and with the sign of <paramref name="x"/>
    /// (including for ±0); NaN when <paramref name="x"/> is NaN.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x)
    {
        float ax = MathF.Abs(x);
        float result;

        // NaN fails the comparison and reaches the exponential, which propagates it.
        if (ax < TanhPolynomialLimit)
        {
            float t = ax * ax;
            float p = float.MultiplyAddEstimate(T4, t, T3);
            p = float.MultiplyAddEstimate(p, t, T2);
            p = float.MultiplyAddEstimate(p, t, T1);
            p = float.MultiplyAddEstimate(p, t, T0);
            result = float.MultiplyAddEstimate(ax * t, p, ax);
        }
        else
        {
            result = 1f - (2f / (Exp(ax + ax) + 1f));
        }

        return MathF.CopySign(result, x);
    }

    /// <summary>Computes the logistic sigmoid <c>1 / (1 + e^−x)</c> of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>The sigmoid of each lane, within [0, 1]; NaN in lanes that are NaN.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Exp(-x));

    /// <summary>Computes the hyperbolic tangent of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>
    /// The hyperbolic tangent of each lane, within [−1, 1] and with the lane's sign (including for ±0); NaN in lanes
    /// that are NaN.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> ax = Vector128.Abs(x);

        Vector128<float> t = ax * ax;
        Vector128<float> p = Vector128.MultiplyAddEstimate(Vector128.Create(T4), t, Vector128.Create(T3));
        p = Vector128.MultiplyAddEstimate(p, t, Vector128.Create(T2));
        p = Vector128.MultiplyAddEstimate(p, t, Vector128.Create(T1));
        p = Vector128.MultiplyAddEstimate(p, t, Vector128.Create(T0));
        Vector128<float> small = Vector128.MultiplyAddEstimate(ax * t, p, ax);

        Vector128<float> large = Vector128<float>.One - (Vector128.Create(2f) / (Exp(ax + ax) + Vector128<float>.One));

        // NaN compares false and so takes the exponential branch, which propagates it.
        Vector128<float> usePolynomial = Vector128.LessThan(ax, Vector128.Create(TanhPolynomialLimit));
        Vector128<float> result = Vector128.ConditionalSelect(usePolynomial, small, large);
        return Vector128.CopySign(result, x);
    }

    /// <summary>Computes the logistic sigmoid <c>1 / (1 + e^−x)</c> of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>The sigmoid of each lane, within [0, 1]; NaN in lanes that are NaN.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    /// <summary>Computes the hyperbolic tangent of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>
    /// The hyperbolic tangent of each lane, within [−1, 1] and with the lane's sign (including for ±0); NaN in lanes
    /// that are NaN.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);

        Vector256<float> t = ax * ax;
        Vector256<float> p = Vector256.MultiplyAddEstimate(Vector256.Create(T4), t, Vector256.Create(T3));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(T2));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(T1));
        p = Vector256.MultiplyAddEstimate(p, t, Vector256.Create(T0));
        Vector256<float> small = Vector256.MultiplyAddEstimate(ax * t, p, ax);

        Vector256<float> large = Vector256<float>.One - (Vector256.Create(2f) / (Exp(ax + ax) + Vector256<float>.One));

        // NaN compares false and so takes the exponential branch, which propagates it.
        Vector256<float> usePolynomial = Vector256.LessThan(ax, Vector256.Create(TanhPolynomialLimit));
        Vector256<float> result = Vector256.ConditionalSelect(usePolynomial, small, large);
        return Vector256.CopySign(result, x);
    }

    /// <summary>Computes the logistic sigmoid <c>1 / (1 + e^−x)</c> of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>The sigmoid of each lane, within [0, 1]; NaN in lanes that are NaN.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    /// <summary>Computes the hyperbolic tangent of each lane.</summary>
    /// <param name="x">The input lanes.</param>
    /// <returns>
    /// The hyperbolic tangent of each lane, within [−1, 1] and with the lane's sign (including for ±0); NaN in lanes
    /// that are NaN.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);

        Vector512<float> t = ax * ax;
        Vector512<float> p = Vector512.MultiplyAddEstimate(Vector512.Create(T4), t, Vector512.Create(T3));
        p = Vector512.MultiplyAddEstimate(p, t, Vector512.Create(T2));
        p = Vector512.MultiplyAddEstimate(p, t, Vector512.Create(T1));
        p = Vector512.MultiplyAddEstimate(p, t, Vector512.Create(T0));
        Vector512<float> small = Vector512.MultiplyAddEstimate(ax * t, p, ax);

        Vector512<float> large = Vector512<float>.One - (Vector512.Create(2f) / (Exp(ax + ax) + Vector512<float>.One));

        // NaN compares false and so takes the exponential branch, which propagates it.
        Vector512<float> usePolynomial = Vector512.LessThan(ax, Vector512.Create(TanhPolynomialLimit));
        Vector512<float> result = Vector512.ConditionalSelect(usePolynomial, small, large);
        return Vector512.CopySign(result, x);
    }

    // e^x for x >= ~-86.5 (smaller inputs give e^-86.5), +Inf on overflow, NaN for NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Exp(float x)
    {
        // MathF.Min/Max propagate NaN, so NaN survives the clamp and poisons the polynomial.
        x = MathF.Min(MathF.Max(x, ExpMinInput), ExpMaxInput);

        float n = MathF.Round(x * Log2E);
        float r = float.MultiplyAddEstimate(n, -Ln2High, x);
        r = float.MultiplyAddEstimate(n, -Ln2Low, r);

        float p = float.MultiplyAddEstimate(TwoE4, r, TwoE3);
        p = float.MultiplyAddEstimate(p, r, TwoE2);
        p = float.MultiplyAddEstimate(p, r, TwoE1);
        p = float.MultiplyAddEstimate(p, r, TwoE0);
        p = float.MultiplyAddEstimate(p, r, Two);
        p = float.MultiplyAddEstimate(p, r, Two);

        float scale = BitConverter.Int32BitsToSingle(((int)n + ExponentBiasMinusOne) << MantissaBits);
        return p * scale;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Exp(Vector128<float> x)
    {
        // Vector128.Min/Max propagate NaN, so NaN survives the clamp and poisons the polynomial.
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(ExpMinInput)), Vector128.Create(ExpMaxInput));

        Vector128<float> n = Vector128.Round(x * Vector128.Create(Log2E));
        Vector128<float> r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2High), x);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Low), r);

        Vector128<float> p = Vector128.MultiplyAddEstimate(Vector128.Create(TwoE4), r, Vector128.Create(TwoE3));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(TwoE2));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(TwoE1));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(TwoE0));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(Two));
        p = Vector128.MultiplyAddEstimate(p, r, Vector128.Create(Two));

        // n lies in [-125, 129] (or is NaN, which p already carries), so the native conversion is exact here and
        // spares the saturating one's fix-up instructions.
        Vector128<int> biasedExponent = Vector128.ConvertToInt32Native(n) + Vector128.Create(ExponentBiasMinusOne);
        Vector128<int> scale = Vector128.ShiftLeft(biasedExponent, MantissaBits);
        return p * scale.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        // Vector256.Min/Max propagate NaN, so NaN survives the clamp and poisons the polynomial.
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpMinInput)), Vector256.Create(ExpMaxInput));

        Vector256<float> n = Vector256.Round(x * Vector256.Create(Log2E));
        Vector256<float> r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2High), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-Ln2Low), r);

        Vector256<float> p = Vector256.MultiplyAddEstimate(Vector256.Create(TwoE4), r, Vector256.Create(TwoE3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(TwoE2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(TwoE1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(TwoE0));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(Two));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(Two));

        // n lies in [-125, 129] (or is NaN, which p already carries), so the native conversion is exact here and
        // spares the saturating one's fix-up instructions.
        Vector256<int> biasedExponent = Vector256.ConvertToInt32Native(n) + Vector256.Create(ExponentBiasMinusOne);
        Vector256<int> scale = Vector256.ShiftLeft(biasedExponent, MantissaBits);
        return p * scale.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        // Vector512.Min/Max propagate NaN, so NaN survives the clamp and poisons the polynomial.
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMinInput)), Vector512.Create(ExpMaxInput));

        Vector512<float> n = Vector512.Round(x * Vector512.Create(Log2E));
        Vector512<float> r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2High), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-Ln2Low), r);

        Vector512<float> p = Vector512.MultiplyAddEstimate(Vector512.Create(TwoE4), r, Vector512.Create(TwoE3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(TwoE2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(TwoE1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(TwoE0));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(Two));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(Two));

        // n lies in [-125, 129] (or is NaN, which p already carries), so the native conversion is exact here and
        // spares the saturating one's fix-up instructions.
        Vector512<int> biasedExponent = Vector512.ConvertToInt32Native(n) + Vector512.Create(ExponentBiasMinusOne);
        Vector512<int> scale = Vector512.ShiftLeft(biasedExponent, MantissaBits);
        return p * scale.AsSingle();
    }
}
