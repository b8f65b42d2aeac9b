using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using FixedRnn.Numerics;
using Xunit;

namespace FixedRnn.Tests;

public sealed class ActivationsTests
{
    // Must match the bounds documented on Activations; those came from an exhaustive sweep of every float, so a
    // sample of it that exceeds them means the implementation or the docs have drifted.
    private const double SigmoidMaxAbsoluteError = 9.0e-8;
    private const double SigmoidMaxRelativeError = 1.6e-7;
    private const double TanhMaxAbsoluteError = 8.2e-8;
    private const double TanhMaxRelativeError = 1.5e-7;
    private const double RelativeErrorFloor = 1e-30;

    // Where the tanh polynomial hands over to the exponential form; worth sampling densely.
    private const float TanhPolynomialLimit = 0.625f;

    public enum Overload
    {
        Scalar,
        Vector128,
        Vector256,
        Vector512,
    }

    public static TheoryData<Overload> AllOverloads => new() { Overload.Scalar, Overload.Vector128, Overload.Vector256, Overload.Vector512 };

    public static TheoryData<Overload> VectorOverloads => new() { Overload.Vector128, Overload.Vector256, Overload.Vector512 };

    private static readonly float[] s_sweep = BuildSweep();

    [Theory]
    [MemberData(nameof(AllOverloads))]
    public void SweepStaysWithinDocumentedErrorBounds(Overload overload)
    {
        float[] sigmoid = new float[s_sweep.Length];
        float[] tanh = new float[s_sweep.Length];
        Evaluate(overload, s_sweep, sigmoid, tanh);

        var sigmoidError = new ErrorStats();
        var tanhError = new ErrorStats();
        for (int i = 0; i < s_sweep.Length; i++)
        {
            double x = s_sweep[i];
            sigmoidError.Add(s_sweep[i], sigmoid[i], 1.0 / (1.0 + Math.Exp(-x)));
            tanhError.Add(s_sweep[i], tanh[i], Math.Tanh(x));
        }

        Assert.True(sigmoidError.MaxAbsolute <= SigmoidMaxAbsoluteError, $"Sigmoid absolute error {sigmoidError.MaxAbsolute:E3} at x = {sigmoidError.AtAbsolute:R}");
        Assert.True(sigmoidError.MaxRelative <= SigmoidMaxRelativeError, $"Sigmoid relative error {sigmoidError.MaxRelative:E3} at x = {sigmoidError.AtRelative:R}");
        Assert.True(tanhError.MaxAbsolute <= TanhMaxAbsoluteError, $"Tanh absolute error {tanhError.MaxAbsolute:E3} at x = {tanhError.AtAbsolute:R}");
        Assert.True(tanhError.MaxRelative <= TanhMaxRelativeError, $"Tanh relative error {tanhError.MaxRelative:E3} at x = {tanhError.AtRelative:R}");
    }

    [Theory]
    [MemberData(nameof(AllOverloads))]
    public void SaturatesCleanlyAtExtremes(Overload overload)
    {
        float[] inputs =
        [
            float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue, 1e30f, -1e30f, 1e10f, -1e10f,
            200f, -200f, 100f, -100f, 89f, -89f, 88.75f, -88.75f,
        ];
        float[] sigmoid = new float[inputs.Length];
        float[] tanh = new float[inputs.Length];
        Evaluate(overload, inputs, sigmoid, tanh);

        for (int i = 0; i < inputs.Length; i++)
        {
            float x = inputs[i];
            Assert.Equal(x > 0 ? 1f : 0f, sigmoid[i]);
            Assert.Equal(x > 0 ? 1f : -1f, tanh[i]);
        }

        // Saturation is reached well inside the range too, not only where e^x overflows.
        float[] moderate = [20f, -20f, 10f, -10f];
        Evaluate(overload, moderate, sigmoid, tanh);
        Assert.Equal([1f, -1f, 1f, -1f], tanh.AsSpan(0, 4).ToArray());
        Assert.Equal(1f, sigmoid[0]);
        Assert.InRange(sigmoid[1], 2.0e-9f, 2.1e-9f);
    }

    [Theory]
    [MemberData(nameof(AllOverloads))]
    public void HandlesZeroTinyAndNaN(Overload overload)
    {
        float[] inputs = [0f, -0f, 1e-20f, -1e-20f, float.Epsilon, -float.Epsilon, 1e-38f, -1e-38f, float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(0x7FC0_1234)];
        float[] sigmoid = new float[inputs.Length];
        float[] tanh = new float[inputs.Length];
        Evaluate(overload, inputs, sigmoid, tanh);

        for (int i = 0; i < inputs.Length; i++)
        {
            float x = inputs[i];
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(sigmoid[i]), $"Sigmoid(NaN) gave {sigmoid[i]:R}");
                Assert.True(float.IsNaN(tanh[i]), $"Tanh(NaN) gave {tanh[i]:R}");
                continue;
            }

            // Exact: e^x rounds to 1 and tanh(x) == x to float precision for all of these.
            Assert.Equal(0.5f, sigmoid[i]);
            Assert.Equal(BitConverter.SingleToInt32Bits(x), BitConverter.SingleToInt32Bits(tanh[i]));
        }
    }

    [Theory]
    [MemberData(nameof(AllOverloads))]
    public void StaysWithinRangeAndNeverProducesNaN(Overload overload)
    {
        var random = new Random(20240611);
        float[] inputs = new float[4096];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = RandomFiniteFloat(random);
        }

        float[] sigmoid = new float[inputs.Length];
        float[] tanh = new float[inputs.Length];
        Evaluate(overload, inputs, sigmoid, tanh);

        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.True(sigmoid[i] is >= 0f and <= 1f, $"Sigmoid({inputs[i]:R}) = {sigmoid[i]:R}");
            Assert.True(tanh[i] is >= -1f and <= 1f, $"Tanh({inputs[i]:R}) = {tanh[i]:R}");
            Assert.True(float.IsNegative(tanh[i]) == float.IsNegative(inputs[i]), $"Tanh({inputs[i]:R}) = {tanh[i]:R} has the wrong sign");
        }
    }

    [Theory]
    [MemberData(nameof(VectorOverloads))]
    public void VectorMatchesScalarLaneByLane(Overload overload)
    {
        var random = new Random(7);
        float[] inputs = new float[16 * 1024];
        for (int i = 0; i < inputs.Length; i++)
        {
            // Half over every finite float, half where the functions are not saturated.
            inputs[i] = (i & 1) == 0 ? RandomFiniteFloat(random) : (float)((random.NextDouble() * 40.0) - 20.0);
        }

        float[] sigmoid = new float[inputs.Length];
        float[] tanh = new float[inputs.Length];
        Evaluate(overload, inputs, sigmoid, tanh);

        for (int i = 0; i < inputs.Length; i++)
        {
            float x = inputs[i];
            Assert.True(UlpDistance(sigmoid[i], Activations.Sigmoid(x)) <= 2, $"Sigmoid({x:R}): {sigmoid[i]:R} vs scalar {Activations.Sigmoid(x):R}");
            Assert.True(UlpDistance(tanh[i], Activations.Tanh(x)) <= 2, $"Tanh({x:R}): {tanh[i]:R} vs scalar {Activations.Tanh(x):R}");
        }
    }

    [Theory]
    [MemberData(nameof(AllOverloads))]
    public void IsMonotonic(Overload overload)
    {
        var inputs = new List<float>();
        for (int i = -20 * 64; i <= 20 * 64; i++)
        {
            inputs.Add(i / 64f);
        }

        // Consecutive floats across the tanh hand-over and across changes of n in the exponential's range reduction
        // (e^-x in Sigmoid, e^2|x| in Tanh).
        AddNeighbours(inputs, TanhPolynomialLimit, 64);
        AddNeighbours(inputs, -TanhPolynomialLimit, 64);
        AddNeighbours(inputs, MathF.Log(2f) / 2f, 64);
        AddNeighbours(inputs, -MathF.Log(2f) / 2f, 64);
        AddNeighbours(inputs, 1.25f * MathF.Log(2f), 64);
        AddNeighbours(inputs, -1.25f * MathF.Log(2f), 64);
        AddNeighbours(inputs, 0f, 64);
        inputs.Sort();

        float[] x = inputs.ToArray();
        float[] sigmoid = new float[x.Length];
        float[] tanh = new float[x.Length];
        Evaluate(overload, x, sigmoid, tanh);

        for (int i = 1; i < x.Length; i++)
        {
            Assert.True(sigmoid[i] >= sigmoid[i - 1], $"Sigmoid decreases from x = {x[i - 1]:R} ({sigmoid[i - 1]:R}) to {x[i]:R} ({sigmoid[i]:R})");
            Assert.True(tanh[i] >= tanh[i - 1], $"Tanh decreases from x = {x[i - 1]:R} ({tanh[i - 1]:R}) to {x[i]:R} ({tanh[i]:R})");
        }
    }

    private static float[] BuildSweep()
    {
        var values = new List<float>();

        // Every 2048th bit pattern from 0 to 100 (a few thousand per binade, tiny subnormals up to saturation), both signs.
        int limit = BitConverter.SingleToInt32Bits(100f);
        for (int bits = 0; bits <= limit; bits += 2048)
        {
            float x = BitConverter.Int32BitsToSingle(bits);
            values.Add(x);
            values.Add(-x);
        }

        // Densely where accuracy is won or lost: near zero, across the tanh hand-over, and up to sigmoid saturation.
        AddRange(values, 1e-4f, 0.05f, 512);
        AddRange(values, TanhPolynomialLimit - 0.02f, TanhPolynomialLimit + 0.03f, 16);
        AddRange(values, 14f, 18f, 64);

        return values.ToArray();
    }

    private static void AddRange(List<float> values, float from, float to, int stride)
    {
        int end = BitConverter.SingleToInt32Bits(to);
        for (int bits = BitConverter.SingleToInt32Bits(from); bits <= end; bits += stride)
        {
            float x = BitConverter.Int32BitsToSingle(bits);
            values.Add(x);
            values.Add(-x);
        }
    }

    private static void AddNeighbours(List<float> values, float center, int count)
    {
        float below = center;
        float above = center;
        values.Add(center);
        for (int i = 0; i < count; i++)
        {
            below = MathF.BitDecrement(below);
            above = MathF.BitIncrement(above);
            values.Add(below);
            values.Add(above);
        }
    }

    private static float RandomFiniteFloat(Random random)
    {
        while (true)
        {
            float x = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            if (float.IsFinite(x))
            {
                return x;
            }
        }
    }

    private static long UlpDistance(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        }

        // Map the sign-magnitude encoding onto a line so adjacent floats (across zero too) differ by one.
        static long Ordinal(float value)
        {
            long bits = BitConverter.SingleToInt32Bits(value);
            return bits < 0 ? int.MinValue - bits : bits;
        }

        return Math.Abs(Ordinal(a) - Ordinal(b));
    }

    private static void Evaluate(Overload overload, float[] x, float[] sigmoid, float[] tanh)
    {
        int width = overload switch
        {
            Overload.Scalar => 1,
            Overload.Vector128 => Vector128<float>.Count,
            Overload.Vector256 => Vector256<float>.Count,
            _ => Vector512<float>.Count,
        };

        // Pad to whole vectors with a value whose results are discarded.
        int padded = (x.Length + width - 1) / width * width;
        float[] input = new float[padded];
        float[] sigmoidOut = new float[padded];
        float[] tanhOut = new float[padded];
        x.CopyTo(input, 0);

        for (int i = 0; i < padded; i += width)
        {
            switch (overload)
            {
                case Overload.Scalar:
                    sigmoidOut[i] = Activations.Sigmoid(input[i]);
                    tanhOut[i] = Activations.Tanh(input[i]);
                    break;
                case Overload.Vector128:
                    Vector128<float> v128 = Vector128.Create(input.AsSpan(i));
                    Activations.Sigmoid(v128).CopyTo(sigmoidOut.AsSpan(i));
                    Activations.Tanh(v128).CopyTo(tanhOut.AsSpan(i));
                    break;
                case Overload.Vector256:
                    Vector256<float> v256 = Vector256.Create(input.AsSpan(i));
                    Activations.Sigmoid(v256).CopyTo(sigmoidOut.AsSpan(i));
                    Activations.Tanh(v256).CopyTo(tanhOut.AsSpan(i));
                    break;
                default:
                    Vector512<float> v512 = Vector512.Create(input.AsSpan(i));
                    Activations.Sigmoid(v512).CopyTo(sigmoidOut.AsSpan(i));
                    Activations.Tanh(v512).CopyTo(tanhOut.AsSpan(i));
                    break;
            }
        }

        sigmoidOut.AsSpan(0, x.Length).CopyTo(sigmoid);
        tanhOut.AsSpan(0, x.Length).CopyTo(tanh);
    }

    private sealed class ErrorStats
    {
        public double MaxAbsolute { get; private set; }

        public double MaxRelative { get; private set; }

        public float AtAbsolute { get; private set; }

        public float AtRelative { get; private set; }

        public void Add(float x, float actual, double expected)
        {
            // NaN fails every bound below by making the error NaN, so record it as infinite instead.
            double absolute = float.IsNaN(actual) ? double.PositiveInfinity : Math.Abs(actual - expected);
            if (absolute > MaxAbsolute)
            {
                MaxAbsolute = absolute;
                AtAbsolute = x;
            }

            if (Math.Abs(expected) >= RelativeErrorFloor && absolute / Math.Abs(expected) > MaxRelative)
            {
                MaxRelative = absolute / Math.Abs(expected);
                AtRelative = x;
            }
        }
    }
}
