using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>Seeded initializers reproduce PyTorch's and Keras' defaults in PyTorch's layout, bit for bit per seed.</summary>
public sealed class InitializerTests
{
    private const int Seed = 20240611;

    private static readonly string[] s_recurrentNames = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
    private static readonly string[] s_denseNames = ["weight", "bias"];

    public static TheoryData<InitializationScheme, LayerKind, string> AllTensors()
    {
        var data = new TheoryData<InitializationScheme, LayerKind, string>();
        foreach (InitializationScheme scheme in Enum.GetValues<InitializationScheme>())
        {
            foreach (LayerKind kind in Enum.GetValues<LayerKind>())
            {
                foreach (string name in NamesOf(kind))
                {
                    data.Add(scheme, kind, name);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllTensors))]
    public void ShapesFollowPyTorch(InitializationScheme scheme, LayerKind kind, string name)
    {
        const int input = 5;
        const int size = 7;
        int gates = GatesOf(kind);
        int expected = (kind, name) switch
        {
            (LayerKind.Dense, "weight") => size * input,
            (LayerKind.Dense, "bias") => size,
            (_, "weight_ih") => gates * size * input,
            (_, "weight_hh") => gates * size * size,
            _ => gates * size,
        };

        Assert.Equal(expected, CreateTensor(scheme, kind, input, size, name, new Random(Seed)).Length);
    }

    [Theory]
    [InlineData(LayerKind.Lstm)]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void PyTorchRecurrentTensorsAreUniformWithinInverseSqrtHidden(LayerKind kind)
    {
        const int input = 48;
        const int hidden = 64;
        var random = new Random(Seed);
        foreach (string name in s_recurrentNames)
        {
            float[] tensor = CreateTensor(InitializationScheme.PyTorch, kind, input, hidden, name, random);
            AssertUniform(tensor, (float)(1 / Math.Sqrt(hidden)));
        }
    }

    [Fact]
    public void PyTorchDenseTensorsAreUniformWithinInverseSqrtFanIn()
    {
        const int input = 40;
        const int output = 96;
        var random = new Random(Seed);
        float bound = (float)(1 / Math.Sqrt(input));
        AssertUniform(CreateTensor(InitializationScheme.PyTorch, LayerKind.Dense, input, output, "weight", random), bound);
        AssertUniform(CreateTensor(InitializationScheme.PyTorch, LayerKind.Dense, input, output, "bias", random), bound);
    }

    [Theory]
    [InlineData(LayerKind.Lstm, 4)]
    [InlineData(LayerKind.Gru, 3)]
    [InlineData(LayerKind.Rnn, 1)]
    public void KerasInputKernelIsGlorotUniformOverKerasShape(LayerKind kind, int gates)
    {
        const int input = 24;
        const int hidden = 32;
        float[] tensor = CreateTensor(InitializationScheme.Keras, kind, input, hidden, "weight_ih", new Random(Seed));
        AssertUniform(tensor, (float)Math.Sqrt(6.0 / (input + (gates * hidden))));
    }

    [Fact]
    public void KerasDenseIsGlorotUniformWithZeroBias()
    {
        const int input = 40;
        const int output = 24;
        var random = new Random(Seed);
        AssertUniform(CreateTensor(InitializationScheme.Keras, LayerKind.Dense, input, output, "weight", random), (float)Math.Sqrt(6.0 / (input + output)));
        Assert.All(CreateTensor(InitializationScheme.Keras, LayerKind.Dense, input, output, "bias", random), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void GlorotUniformUsesTheFanSum()
    {
        float[] values = new float[3000];
        Initializers.GlorotUniform(values, 30, 70, new Random(Seed));
        AssertUniform(values, (float)Math.Sqrt(6.0 / 100));
    }

    [Theory]
    [InlineData(LayerKind.Gru)]
    [InlineData(LayerKind.Rnn)]
    public void KerasGruAndRnnBiasesAreZero(LayerKind kind)
    {
        var random = new Random(Seed);
        Assert.All(CreateTensor(InitializationScheme.Keras, kind, 3, 9, "bias_ih", random), value => Assert.Equal(0f, value));
        Assert.All(CreateTensor(InitializationScheme.Keras, kind, 3, 9, "bias_hh", random), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void KerasLstmHasUnitForgetBiasFoldedIntoBiasIh()
    {
        const int hidden = 9;
        var random = new Random(Seed);
        float[] biasIh = CreateTensor(InitializationScheme.Keras, LayerKind.Lstm, 3, hidden, "bias_ih", random);
        float[] biasHh = CreateTensor(InitializationScheme.Keras, LayerKind.Lstm, 3, hidden, "bias_hh", random);

        for (int gate = 0; gate < 4; gate++)
        {
            float expected = gate == 1 ? 1f : 0f;
            for (int unit = 0; unit < hidden; unit++)
            {
                Assert.Equal(expected, biasIh[(gate * hidden) + unit] + biasHh[(gate * hidden) + unit]);
                Assert.Equal(expected, biasIh[(gate * hidden) + unit]);
                Assert.Equal(0f, biasHh[(gate * hidden) + unit]);
            }
        }
    }

    [Theory]
    [InlineData(LayerKind.Lstm, 16)]
    [InlineData(LayerKind.Gru, 13)]
    [InlineData(LayerKind.Lstm, 1)]
    [InlineData(LayerKind.Rnn, 16)]
    [InlineData(LayerKind.Gru, 40)]
    public void KerasRecurrentKernelIsTransposedOrthogonal(LayerKind kind, int hidden)
    {
        float[] weightHh = CreateTensor(InitializationScheme.Keras, kind, 5, hidden, "weight_hh", new Random(Seed));
        int gateRows = GatesOf(kind) * hidden;

        // Keras' kernel (H, G·H) has orthonormal rows, which are weight_hh's columns.
        AssertOrthonormalRows(Transpose(weightHh, gateRows, hidden), hidden, gateRows);
    }

    [Theory]
    [InlineData(16, 64)]
    [InlineData(13, 39)]
    [InlineData(1, 4)]
    [InlineData(8, 8)]
    [InlineData(1, 1)]
    [InlineData(64, 16)]
    [InlineData(39, 13)]
    [InlineData(7, 1)]
    public void OrthogonalHasOrthonormalRowsOrColumns(int rows, int columns)
    {
        float[] matrix = new float[rows * columns];
        Initializers.Orthogonal(matrix, rows, columns, new Random(Seed));
        if (rows <= columns)
        {
            AssertOrthonormalRows(matrix, rows, columns);
        }

        if (rows >= columns)
        {
            AssertOrthonormalRows(Transpose(matrix, rows, columns), columns, rows);
        }
    }

    [Theory]
    [InlineData(13, 39)]
    [InlineData(39, 13)]
    [InlineData(1, 4)]
    [InlineData(6, 6)]
    public void OrthogonalIsTheSignCorrectedQFactorOfNormalDraws(int rows, int columns)
    {
        // Q with R's diagonal made positive is unique, so any QR algorithm (numpy's included) agrees: check
        // that A = Q·R for the normal matrix A of shape (max, min) drawn in row order, with R = QᵀA upper
        // triangular and its diagonal positive.
        int tall = Math.Max(rows, columns);
        int narrow = Math.Min(rows, columns);
        var random = new Random(Seed);
        double[] normals = new double[(tall * narrow) + 1];
        for (int i = 0; i < normals.Length - 1; i += 2)
        {
            Initializers.NextStandardNormalPair(random, out normals[i], out normals[i + 1]);
        }

        float[] matrix = new float[rows * columns];
        Initializers.Orthogonal(matrix, rows, columns, new Random(Seed));
        float[] q = rows >= columns ? matrix : Transpose(matrix, rows, columns);

        for (int i = 0; i < narrow; i++)
        {
            for (int j = 0; j < narrow; j++)
            {
                double r = 0;
                for (int k = 0; k < tall; k++)
                {
                    r += q[(k * narrow) + i] * normals[(k * narrow) + j];
                }

                if (i > j)
                {
                    Assert.Equal(0.0, r, 1e-4);
                }
                else if (i == j)
                {
                    Assert.True(r > 0, $"R[{i},{i}] = {r}");
                }
            }
        }

        for (int k = 0; k < tall; k++)
        {
            for (int j = 0; j < narrow; j++)
            {
                double reconstructed = 0;
                for (int i = 0; i < narrow; i++)
                {
                    double r = 0;
                    for (int m = 0; m < tall; m++)
                    {
                        r += q[(m * narrow) + i] * normals[(m * narrow) + j];
                    }

                    reconstructed += q[(k * narrow) + i] * r;
                }

                Assert.Equal(normals[(k * narrow) + j], reconstructed, 1e-4);
            }
        }
    }

    [Fact]
    public void OrthogonalOfTheTransposedShapeIsTheTranspose()
    {
        float[] wide = new float[13 * 39];
        float[] tall = new float[39 * 13];
        Initializers.Orthogonal(wide, 13, 39, new Random(Seed));
        Initializers.Orthogonal(tall, 39, 13, new Random(Seed));
        Assert.Equal(Bits(wide), Bits(Transpose(tall, 39, 13)));
    }

    [Fact]
    public void OrthogonalSquareMatricesAreNotBiasedTowardsTheIdentity()
    {
        // The sign correction by diag(R) makes Q Haar-distributed: its diagonal averages zero rather than
        // sitting near ±1, and each entry has variance 1/n.
        const int n = 8;
        const int trials = 400;
        double diagonalSum = 0;
        double squareSum = 0;
        var random = new Random(Seed);
        float[] matrix = new float[n * n];
        for (int trial = 0; trial < trials; trial++)
        {
            Initializers.Orthogonal(matrix, n, n, random);
            for (int i = 0; i < n; i++)
            {
                diagonalSum += matrix[(i * n) + i];
                squareSum += matrix[(i * n) + i] * matrix[(i * n) + i];
            }
        }

        double count = trials * n;
        Assert.InRange(diagonalSum / count, -0.05, 0.05);
        Assert.InRange(squareSum / count, 0.9 / n, 1.1 / n);
    }

    [Theory]
    [MemberData(nameof(AllTensors))]
    public void SameSeedGivesBitIdenticalTensors(InitializationScheme scheme, LayerKind kind, string name)
    {
        float[] first = CreateTensor(scheme, kind, 6, 11, name, new Random(Seed));
        float[] second = CreateTensor(scheme, kind, 6, 11, name, new Random(Seed));
        Assert.Equal(Bits(first), Bits(second));
    }

    [Theory]
    [MemberData(nameof(AllTensors))]
    public void DifferentSeedsGiveDifferentRandomTensors(InitializationScheme scheme, LayerKind kind, string name)
    {
        float[] first = CreateTensor(scheme, kind, 6, 11, name, new Random(Seed));
        float[] second = CreateTensor(scheme, kind, 6, 11, name, new Random(Seed + 1));
        bool isConstant = scheme == InitializationScheme.Keras && name is "bias" or "bias_ih" or "bias_hh";
        if (isConstant)
        {
            Assert.Equal(Bits(first), Bits(second));
        }
        else
        {
            Assert.NotEqual(Bits(first), Bits(second));
        }
    }

    [Fact]
    public void DrawsArePinnedForSeededRandom()
    {
        // new Random(seed) keeps its algorithm across .NET versions, and the initializers use only basic
        // arithmetic, so these values must never change; a change means saved seeds no longer reproduce.
        float[] uniform = new float[4];
        Initializers.Uniform(uniform, 1f, new Random(42));
        Assert.Equal(s_pinnedUniform, Bits(uniform));

        float[] orthogonal = new float[6];
        Initializers.Orthogonal(orthogonal, 2, 3, new Random(42));
        Assert.Equal(s_pinnedOrthogonal, Bits(orthogonal));
    }

    [Fact]
    public void OwnLogarithmMatchesMathLog()
    {
        var random = new Random(Seed);
        for (int i = 0; i < 10_000; i++)
        {
            double x = 1.0 - random.NextDouble();
            Assert.Equal(Math.Log(x), Initializers.Log(x), 1e-15 * Math.Max(1, Math.Abs(Math.Log(x))));
        }

        foreach (double x in new[] { 1.0, 0.5, 2.0, Math.Sqrt(2), 1e-10, 1e300, 4.656612875245797E-10 })
        {
            Assert.Equal(Math.Log(x), Initializers.Log(x), 1e-15 * Math.Max(1, Math.Abs(Math.Log(x))));
        }
    }

    [Fact]
    public void OwnSineAndCosineMatchMath()
    {
        var random = new Random(Seed);
        IEnumerable<double> turns = Enumerable.Range(0, 10_000).Select(_ => random.NextDouble())
            .Concat([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 0.9999999995343387, 1.0]);
        foreach (double turn in turns)
        {
            Initializers.SinCosOfTurns(turn, out double sin, out double cos);
            Assert.Equal(Math.Sin(2 * Math.PI * turn), sin, 4e-15);
            Assert.Equal(Math.Cos(2 * Math.PI * turn), cos, 4e-15);
        }
    }

    [Fact]
    public void BoxMullerDrawsStandardNormals()
    {
        const int pairs = 50_000;
        var random = new Random(Seed);
        double sum = 0;
        double squares = 0;
        double fourths = 0;
        double product = 0;
        for (int i = 0; i < pairs; i++)
        {
            Initializers.NextStandardNormalPair(random, out double first, out double second);
            sum += first + second;
            squares += (first * first) + (second * second);
            fourths += (first * first * first * first) + (second * second * second * second);
            product += first * second;
        }

        double count = 2.0 * pairs;
        Assert.InRange(sum / count, -0.02, 0.02);
        Assert.InRange(squares / count, 0.97, 1.03);
        Assert.InRange(fourths / count, 2.8, 3.2);
        Assert.InRange(product / pairs, -0.02, 0.02);
    }

    [Fact]
    public void CreateTensorRejectsNamesOfOtherKinds()
    {
        foreach (LayerKind kind in new[] { LayerKind.Lstm, LayerKind.Gru, LayerKind.Rnn })
        {
            foreach (string name in new[] { "weight", "bias", "Weight_ih", "weight_ih_l0", "" })
            {
                AssertRejected("name", () => CreateTensor(InitializationScheme.PyTorch, kind, 3, 4, name, new Random(Seed)));
            }
        }

        foreach (string name in new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh", "Weight", "" })
        {
            AssertRejected("name", () => CreateTensor(InitializationScheme.Keras, LayerKind.Dense, 3, 4, name, new Random(Seed)));
        }
    }

    [Fact]
    public void CreateTensorRejectsInvalidArguments()
    {
        var random = new Random(Seed);
        Assert.Throws<ArgumentNullException>("name", () => CreateTensor(InitializationScheme.PyTorch, LayerKind.Lstm, 3, 4, null!, random));
        Assert.Throws<ArgumentNullException>("random", () => CreateTensor(InitializationScheme.PyTorch, LayerKind.Lstm, 3, 4, "weight_ih", null!));
        Assert.Throws<ArgumentOutOfRangeException>("inputSize", () => CreateTensor(InitializationScheme.PyTorch, LayerKind.Lstm, 0, 4, "weight_ih", random));
        Assert.Throws<ArgumentOutOfRangeException>("outputSize", () => CreateTensor(InitializationScheme.Keras, LayerKind.Dense, 3, -1, "weight", random));
        Assert.Throws<ArgumentOutOfRangeException>("hiddenSize", () => CreateTensor(InitializationScheme.Keras, LayerKind.Gru, 3, 0, "weight_hh", random));
        Assert.Throws<ArgumentOutOfRangeException>("scheme", () => CreateTensor((InitializationScheme)7, LayerKind.Lstm, 3, 4, "weight_ih", random));
        Assert.Throws<ArgumentOutOfRangeException>("gates", () => Initializers.CreateRecurrentTensor(InitializationScheme.PyTorch, 0, 3, 4, "weight_ih", null, random));
        Assert.Throws<ArgumentOutOfRangeException>("unitBiasGate", () => Initializers.CreateRecurrentTensor(InitializationScheme.Keras, 4, 3, 4, "bias_ih", 4, random));
        AssertRejected("size", () => CreateTensor(InitializationScheme.PyTorch, LayerKind.Lstm, int.MaxValue, 65536, "weight_ih", random));
    }

    [Fact]
    public void HelpersRejectInvalidArguments()
    {
        float[] buffer = new float[12];
        Assert.Throws<ArgumentNullException>("random", () => Initializers.Uniform(buffer, 1f, null!));
        Assert.Throws<ArgumentNullException>("random", () => Initializers.GlorotUniform(buffer, 3, 4, null!));
        Assert.Throws<ArgumentNullException>("random", () => Initializers.Orthogonal(buffer, 3, 4, null!));
        foreach (float bound in new[] { -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>("bound", () => Initializers.Uniform(buffer, bound, new Random(Seed)));
        }

        Assert.Throws<ArgumentOutOfRangeException>("fanIn", () => Initializers.GlorotUniform(buffer, 0, 4, new Random(Seed)));
        Assert.Throws<ArgumentOutOfRangeException>("fanOut", () => Initializers.GlorotUniform(buffer, 3, -2, new Random(Seed)));
        Assert.Throws<ArgumentOutOfRangeException>("rows", () => Initializers.Orthogonal(buffer, 0, 4, new Random(Seed)));
        Assert.Throws<ArgumentOutOfRangeException>("columns", () => Initializers.Orthogonal(buffer, 3, -4, new Random(Seed)));
        Assert.Throws<ArgumentException>("destination", () => Initializers.Orthogonal(buffer, 3, 5, new Random(Seed)));
        Assert.Throws<ArgumentException>("destination", () => Initializers.Orthogonal(buffer, 65536, 65536, new Random(Seed)));

        // A zero bound is a valid (degenerate) interval.
        Initializers.Uniform(buffer, 0f, new Random(Seed));
        Assert.All(buffer, value => Assert.Equal(0f, Math.Abs(value)));
    }

    private static readonly uint[] s_pinnedUniform = [0x3EAC_241A, 0xBF37_DB00, 0xBF3F_BC11, 0x3D3A_7C26];
    private static readonly uint[] s_pinnedOrthogonal = [0x3F60_88D2, 0xBEF4_DB9B, 0xBD37_6FD4, 0x3EA2_98FF, 0x3F01_E5FE, 0x3F4D_116C];

    private static string[] NamesOf(LayerKind kind) => kind == LayerKind.Dense ? s_denseNames : s_recurrentNames;

    /// <summary>
    /// A layer kind's tensor through the rule its generated <c>Initialize</c> uses: the gates of its tensors and,
    /// for an LSTM, Keras' unit forget bias on gate 1.
    /// </summary>
    private static float[] CreateTensor(InitializationScheme scheme, LayerKind kind, int input, int size, string name, Random random) => kind switch
    {
        LayerKind.Dense => Initializers.CreateDenseTensor(scheme, input, size, name, random),
        _ => Initializers.CreateRecurrentTensor(scheme, GatesOf(kind), input, size, name, kind == LayerKind.Lstm ? 1 : null, random),
    };

    private static int GatesOf(LayerKind kind) => kind switch
    {
        LayerKind.Lstm => 4,
        LayerKind.Gru => 3,
        _ => 1,
    };

    /// <summary>Within the bound, reaching close to both ends, and with the mean and variance of a uniform.</summary>
    private static void AssertUniform(float[] values, float bound)
    {
        int n = values.Length;
        Assert.All(values, value => Assert.InRange(value, -bound, bound));

        // The gap to each end of n uniform draws exceeds k · 2·bound/n with probability about e^(−k).
        float slack = bound * (float)Math.Min(0.25, 20.0 / n);
        Assert.InRange(values.Min(), -bound, -bound + slack);
        Assert.InRange(values.Max(), bound - slack, bound);

        // Mean within five standard errors; variance near bound²/3.
        double mean = values.Average(value => (double)value);
        double variance = values.Average(value => ((double)value - mean) * ((double)value - mean));
        double expectedVariance = (double)bound * bound / 3;
        Assert.InRange(mean, -5 * Math.Sqrt(expectedVariance / n), 5 * Math.Sqrt(expectedVariance / n));
        Assert.InRange(variance, expectedVariance * (1 - (5.0 / Math.Sqrt(n))), expectedVariance * (1 + (5.0 / Math.Sqrt(n))));
    }

    private static void AssertOrthonormalRows(float[] matrix, int rows, int columns)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < rows; j++)
            {
                double dot = 0;
                for (int k = 0; k < columns; k++)
                {
                    dot += (double)matrix[(i * columns) + k] * matrix[(j * columns) + k];
                }

                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-5);
            }
        }
    }

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        float[] transposed = new float[matrix.Length];
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                transposed[(column * rows) + row] = matrix[(row * columns) + column];
            }
        }

        return transposed;
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static void AssertRejected(string parameter, Action action)
    {
        ArgumentException exception = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(parameter, exception.ParamName);
    }
}
