using System;

namespace FixedRnn.Training;

/// <summary>
/// Seeded weight initializers that reproduce PyTorch's and Keras' layer defaults, producing tensors in
/// PyTorch's layout.
/// </summary>
/// <remarks>
/// <para>
/// Tensors are row-major in PyTorch's shapes. A recurrent layer with <c>G</c> gates (LSTM 4: <c>i, f, g, o</c>;
/// GRU 3: <c>r, z, n</c>; RNN 1), input size <c>I</c> and hidden size <c>H</c> has <c>weight_ih [G·H, I]</c>,
/// <c>weight_hh [G·H, H]</c>, <c>bias_ih [G·H]</c> and <c>bias_hh [G·H]</c>. A Dense layer (<c>nn.Linear</c>)
/// with input size <c>I</c> and output size <c>O</c> has <c>weight [O, I]</c> and <c>bias [O]</c>.
/// </para>
/// <para>
/// Deterministic: given a <see cref="Random"/> constructed with a seed (<c>new Random(seed)</c>, whose
/// algorithm .NET keeps unchanged for compatibility) and the same sequence of calls, the results are
/// bit-identical on every .NET version and platform. Only <see cref="Random.NextDouble"/> is drawn from, and
/// values are computed with IEEE 754 basic arithmetic and square roots in a fixed order. Normal variates come
/// from Box–Muller with this class's own logarithm, sine and cosine rather than <see cref="Math.Log(double)"/>
/// and <see cref="Math.Sin(double)"/>, which defer to the platform's C library and may differ in the last bit.
/// An unseeded <see cref="Random"/> or <see cref="Random.Shared"/> gives valid but unreproducible values.
/// </para>
/// </remarks>
public static class Initializers
{
    private const double Sqrt2 = 1.4142135623730951;

    // ln 2 split so that exponent · Ln2Hi is exact (fdlibm's constants).
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;

    private const double HalfPi = Math.PI / 2;

    /// <summary>Creates one parameter tensor of a recurrent layer, initialized as <paramref name="scheme"/> prescribes.</summary>
    /// <param name="scheme">The framework whose defaults to reproduce.</param>
    /// <param name="gates">The gates stacked in the layer's tensors: <c>G</c> (LSTM 4, GRU 3, RNN 1).</param>
    /// <param name="inputSize">The features the layer reads: <c>I</c>.</param>
    /// <param name="hiddenSize">The hidden size <c>H</c>.</param>
    /// <param name="name"><c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c>, or a peephole LSTM's <c>weight_peephole</c> <c>[3·H]</c>.</param>
    /// <param name="unitBiasGate">The gate whose Keras bias starts at one (an LSTM's forget gate, Keras' <c>unit_forget_bias</c>), or <see langword="null"/>.</param>
    /// <param name="random">The source of randomness; one <see cref="Random.NextDouble"/> per uniform element.</param>
    /// <returns>The tensor, row-major in PyTorch's shape.</returns>
    /// <remarks>
    /// <para>
    /// <see cref="InitializationScheme.PyTorch"/>: every tensor is uniform in <c>±1/√H</c>.
    /// </para>
    /// <para>
    /// <see cref="InitializationScheme.Keras"/>: <c>weight_ih</c> is Glorot-uniform over Keras' kernel shape
    /// <c>(I, G·H)</c>; <c>weight_hh</c> is Keras' orthogonal recurrent kernel <c>(H, G·H)</c> transposed, so its
    /// columns are orthonormal; <c>bias_ih</c> holds Keras' single bias (zeros, with gate <paramref name="unitBiasGate"/>
    /// at one) and <c>bias_hh</c> is zero, so their sum is Keras' bias. Zero tensors draw nothing from <paramref name="random"/>.
    /// </para>
    /// <para>
    /// <c>weight_peephole</c> (p_i, p_f, p_o): PyTorch has no peepholes, so <see cref="InitializationScheme.PyTorch"/>
    /// draws them like its other LSTM weights, uniform in <c>±1/√H</c>; <see cref="InitializationScheme.Keras"/>
    /// follows <c>PeepholeLSTMCell</c>, whose three <c>(H,)</c> peephole weights take the kernel's Glorot-uniform
    /// initializer, which for a vector is uniform in <c>±√(6 / 2H)</c>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="scheme"/> is undefined, a size or the gate count is not positive, or <paramref name="unitBiasGate"/> is not one of the gates.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a recurrent layer's tensor, or the tensor exceeds the largest array.</exception>
    public static float[] CreateRecurrentTensor(InitializationScheme scheme, int gates, int inputSize, int hiddenSize, string name, int? unitBiasGate, Random random)
    {
        CheckArguments(scheme, inputSize, hiddenSize, nameof(hiddenSize), name, random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gates);
        if (unitBiasGate is int gate && (gate < 0 || gate >= gates))
        {
            throw new ArgumentOutOfRangeException(nameof(unitBiasGate), unitBiasGate, $"Not one of the {gates} gates.");
        }

        return CreateRecurrent(scheme, gates, inputSize, hiddenSize, name, unitBiasGate, random);
    }

    /// <summary>
    /// Creates one parameter tensor of an LSTM layer with a projection (<c>[Lstm(h, ProjectionSize = p)]</c>, PyTorch's
    /// <c>nn.LSTM(proj_size=P)</c>), initialized as <paramref name="scheme"/> prescribes.
    /// </summary>
    /// <param name="scheme">The framework whose defaults to reproduce.</param>
    /// <param name="inputSize">The features the layer reads: <c>I</c>.</param>
    /// <param name="hiddenSize">The hidden size <c>H</c>, the units of c.</param>
    /// <param name="projectionSize">The projection size <c>P</c>, the units of h, from 1 to <c>H − 1</c>.</param>
    /// <param name="name"><c>weight_ih</c> <c>[4·H, I]</c>, <c>weight_hh</c> <c>[4·H, P]</c>, <c>bias_ih</c>, <c>bias_hh</c> <c>[4·H]</c> or <c>weight_hr</c> <c>[P, H]</c>.</param>
    /// <param name="random">The source of randomness; one <see cref="Random.NextDouble"/> per uniform element.</param>
    /// <returns>The tensor, row-major in PyTorch's shape.</returns>
    /// <remarks>
    /// <para>
    /// <see cref="InitializationScheme.PyTorch"/>: every tensor, <c>weight_hr</c> included, is uniform in <c>±1/√H</c>, as
    /// <c>nn.LSTM.reset_parameters</c> draws all of its parameters from the hidden size.
    /// </para>
    /// <para>
    /// <see cref="InitializationScheme.Keras"/>: Keras has no projection; the tensors follow its LSTM as
    /// <see cref="CreateRecurrentTensor"/> does (Glorot-uniform <c>weight_ih</c>, a unit forget bias), with the recurrent
    /// kernel orthogonal over its <c>[4·H, P]</c> shape and <c>weight_hr</c>, a kernel from H to P features, Glorot-uniform
    /// in <c>±√(6 / (H + P))</c>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scheme"/> is undefined, a size is not positive, or the projection is not smaller than the hidden size.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a projected LSTM's tensor, or the tensor exceeds the largest array.</exception>
    public static float[] CreateProjectedLstmTensor(InitializationScheme scheme, int inputSize, int hiddenSize, int projectionSize, string name, Random random)
    {
        CheckArguments(scheme, inputSize, hiddenSize, nameof(hiddenSize), name, random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(projectionSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(projectionSize, hiddenSize);
        const int Gates = 4, ForgetGate = 1;
        float pyTorchBound = (float)(1.0 / Math.Sqrt(hiddenSize));
        float[] tensor;
        switch (name)
        {
            case "weight_hh":
                tensor = Allocate((long)Gates * hiddenSize * projectionSize);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }
                else
                {
                    Orthogonal(tensor, Gates * hiddenSize, projectionSize, random);
                }

                return tensor;

            case "weight_hr":
                tensor = Allocate((long)projectionSize * hiddenSize);
                Uniform(tensor, scheme == InitializationScheme.PyTorch ? pyTorchBound : GlorotLimit(hiddenSize, projectionSize), random);
                return tensor;

            case "weight_ih" or "bias_ih" or "bias_hh":
                return CreateRecurrent(scheme, Gates, inputSize, hiddenSize, name, ForgetGate, random);

            default:
                throw new ArgumentException($"'{name}' is not a tensor of an LSTM with projection; expected weight_ih, weight_hh, bias_ih, bias_hh or weight_hr.", nameof(name));
        }
    }

    /// <summary>Creates one parameter tensor of a Dense layer (<c>nn.Linear</c>), initialized as <paramref name="scheme"/> prescribes.</summary>
    /// <param name="scheme">The framework whose defaults to reproduce.</param>
    /// <param name="inputSize">The features the layer reads: <c>I</c>.</param>
    /// <param name="outputSize">The outputs <c>O</c>.</param>
    /// <param name="name"><c>weight</c> or <c>bias</c>.</param>
    /// <param name="random">The source of randomness; one <see cref="Random.NextDouble"/> per uniform element.</param>
    /// <returns>The tensor, row-major in PyTorch's shape.</returns>
    /// <remarks>
    /// <see cref="InitializationScheme.PyTorch"/>: the weight (<c>kaiming_uniform_</c> with <c>a = √5</c>) and bias are
    /// uniform in <c>±1/√I</c>. <see cref="InitializationScheme.Keras"/>: the weight is Glorot-uniform over <c>(I, O)</c>
    /// and the bias is zero.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scheme"/> is undefined, or a size is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a Dense layer's tensor, or the tensor exceeds the largest array.</exception>
    public static float[] CreateDenseTensor(InitializationScheme scheme, int inputSize, int outputSize, string name, Random random)
    {
        CheckArguments(scheme, inputSize, outputSize, nameof(outputSize), name, random);
        return CreateDense(scheme, inputSize, outputSize, name, random);
    }

    private static void CheckArguments(InitializationScheme scheme, int inputSize, int size, string sizeName, string name, Random random)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, sizeName);
        if (scheme is not (InitializationScheme.PyTorch or InitializationScheme.Keras))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown initialization scheme.");
        }
    }

    /// <summary>Fills <paramref name="destination"/> with independent values uniform in <c>[−bound, bound]</c>.</summary>
    /// <param name="destination">The values to overwrite.</param>
    /// <param name="bound">The half-width of the interval; finite and not negative.</param>
    /// <param name="random">The source of randomness; one <see cref="Random.NextDouble"/> per element, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is negative, infinite or NaN.</exception>
    public static void Uniform(Span<float> destination, float bound, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!float.IsFinite(bound) || bound < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "The bound must be finite and not negative.");
        }

        // Computed in double so rounding to float happens once; |2u − 1| < 1 keeps every value within the bound.
        double scale = bound;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)(((2.0 * random.NextDouble()) - 1.0) * scale);
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> Glorot-uniform (Xavier-uniform): uniform in <c>±√(6 / (fanIn + fanOut))</c>.
    /// </summary>
    /// <param name="destination">The values to overwrite.</param>
    /// <param name="fanIn">The inputs each unit reads.</param>
    /// <param name="fanOut">The units each input feeds.</param>
    /// <param name="random">The source of randomness; one <see cref="Random.NextDouble"/> per element, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> or <paramref name="fanOut"/> is not positive.</exception>
    public static void GlorotUniform(Span<float> destination, int fanIn, int fanOut, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanOut);
        Uniform(destination, GlorotLimit(fanIn, fanOut), random);
    }

    /// <summary>
    /// Fills <paramref name="destination"/>, row-major <c>[rows, columns]</c>, with a random orthogonal matrix as
    /// Keras' <c>Orthogonal</c> initializer (gain 1) makes it: orthonormal rows if <paramref name="rows"/> ≤
    /// <paramref name="columns"/>, orthonormal columns otherwise.
    /// </summary>
    /// <param name="destination">Exactly <c>rows × columns</c> values to overwrite.</param>
    /// <param name="rows">The rows of the matrix.</param>
    /// <param name="columns">The columns of the matrix.</param>
    /// <param name="random">The source of randomness.</param>
    /// <remarks>
    /// A standard normal matrix of shape <c>(max, min)</c> is drawn row by row (Box–Muller, two values per two
    /// <see cref="Random.NextDouble"/> calls), factored <c>QR</c> by Householder reflections in double precision,
    /// and <c>Q</c>'s columns are multiplied by the signs of <c>R</c>'s diagonal so the result is distributed
    /// uniformly (Haar). The result is <c>Q</c>, or <c>Qᵀ</c> for a wide matrix; hence for the same draws
    /// <c>Orthogonal(rows, columns)</c> is the transpose of <c>Orthogonal(columns, rows)</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> does not hold <c>rows × columns</c> values.</exception>
    public static void Orthogonal(Span<float> destination, int rows, int columns, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (destination.Length != (long)rows * columns)
        {
            throw new ArgumentException($"Expected {(long)rows * columns} values for a [{rows}, {columns}] matrix, got {destination.Length}.", nameof(destination));
        }

        int tall = Math.Max(rows, columns);
        int narrow = Math.Min(rows, columns);

        // Column-major, so each Householder step walks contiguous memory.
        double[] matrix = new double[destination.Length];
        double spare = 0;
        bool hasSpare = false;
        for (int row = 0; row < tall; row++)
        {
            for (int column = 0; column < narrow; column++)
            {
                double value;
                if (hasSpare)
                {
                    value = spare;
                    hasSpare = false;
                }
                else
                {
                    NextStandardNormalPair(random, out value, out spare);
                    hasSpare = true;
                }

                matrix[(column * tall) + row] = value;
            }
        }

        // After this loop, column j of the matrix holds (from row j down) the reflector v_j with
        // H_j = I − β_j v_j v_jᵀ, and R's diagonal is known only through its signs.
        double[] betas = new double[narrow];
        bool[] negativeDiagonal = new bool[narrow];
        for (int j = 0; j < narrow; j++)
        {
            Span<double> x = matrix.AsSpan((j * tall) + j, tall - j);
            double norm = Math.Sqrt(Dot(x, x));
            if (norm == 0)
            {
                // Probability zero; H_j = I and R_jj = 0, whose sign counts as positive.
                continue;
            }

            // The sign opposite to x₀ avoids cancellation in v₀ = x₀ − α.
            double alpha = x[0] >= 0 ? -norm : norm;
            x[0] -= alpha;
            double beta = 2.0 / Dot(x, x);
            betas[j] = beta;
            negativeDiagonal[j] = alpha < 0;
            for (int column = j + 1; column < narrow; column++)
            {
                Span<double> target = matrix.AsSpan((column * tall) + j, tall - j);
                AddScaled(target, -beta * Dot(x, target), x);
            }
        }

        // Q = H_0 ⋯ H_{n−1} times the first columns of the identity, applied right to left. Before H_j is
        // applied, columns left of j are still unit vectors untouched by it, so they are skipped.
        double[] q = new double[destination.Length];
        for (int column = 0; column < narrow; column++)
        {
            q[(column * tall) + column] = 1.0;
        }

        for (int j = narrow - 1; j >= 0; j--)
        {
            if (betas[j] == 0)
            {
                continue;
            }

            ReadOnlySpan<double> v = matrix.AsSpan((j * tall) + j, tall - j);
            for (int column = j; column < narrow; column++)
            {
                Span<double> target = q.AsSpan((column * tall) + j, tall - j);
                AddScaled(target, -betas[j] * Dot(v, target), v);
            }
        }

        for (int column = 0; column < narrow; column++)
        {
            if (negativeDiagonal[column])
            {
                Span<double> target = q.AsSpan(column * tall, tall);
                for (int i = 0; i < target.Length; i++)
                {
                    target[i] = -target[i];
                }
            }
        }

        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                // Tall: Q itself. Wide: Qᵀ, whose rows are Q's orthonormal columns.
                double value = rows >= columns ? q[(column * tall) + row] : q[(row * tall) + column];
                destination[(row * columns) + column] = (float)value;
            }
        }
    }

    /// <summary>Draws two independent standard normal values by the Box–Muller transform.</summary>
    internal static void NextStandardNormalPair(Random random, out double first, out double second)
    {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2.0 * Log(1.0 - random.NextDouble()));
        SinCosOfTurns(random.NextDouble(), out double sin, out double cos);
        first = radius * cos;
        second = radius * sin;
    }

    /// <summary>The natural logarithm of a positive, normal, finite <paramref name="x"/>, from basic arithmetic only.</summary>
    internal static double Log(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double mantissa = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (mantissa > Sqrt2)
        {
            // Centring the mantissa on 1 keeps s below 0.172, so eleven series terms reach double precision.
            mantissa *= 0.5;
            exponent++;
        }

        // ln m = 2 atanh(s) = 2 (s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1).
        double s = (mantissa - 1.0) / (mantissa + 1.0);
        double s2 = s * s;
        double series = 1.0 / 23;
        for (int k = 21; k >= 3; k -= 2)
        {
            series = (1.0 / k) + (s2 * series);
        }

        double logMantissa = (2.0 * s) + (2.0 * s * s2 * series);
        return (exponent * Ln2Hi) + ((exponent * Ln2Lo) + logMantissa);
    }

    /// <summary>The sine and cosine of <c>2π · <paramref name="turns"/></c> for <paramref name="turns"/> in <c>[0, 1]</c>, from basic arithmetic only.</summary>
    internal static void SinCosOfTurns(double turns, out double sin, out double cos)
    {
        // Reducing in turns rather than radians is exact: quarter turns are a power-of-two scaling.
        double quarters = turns * 4.0;
        double nearest = Math.Round(quarters);
        double x = (quarters - nearest) * HalfPi;
        double x2 = x * x;

        // Taylor series nested from the highest term; |x| ≤ π/4 makes x¹⁷/17! and x¹⁸/18! negligible.
        double sinSeries = 1.0;
        for (int n = 8; n >= 1; n--)
        {
            sinSeries = 1.0 - (x2 / (2 * n * ((2 * n) + 1)) * sinSeries);
        }

        double cosSeries = 1.0;
        for (int n = 9; n >= 1; n--)
        {
            cosSeries = 1.0 - (x2 / (((2 * n) - 1) * 2 * n) * cosSeries);
        }

        double sinX = x * sinSeries;
        double cosX = cosSeries;
        switch ((int)nearest & 3)
        {
            case 0:
                sin = sinX;
                cos = cosX;
                break;
            case 1:
                sin = cosX;
                cos = -sinX;
                break;
            case 2:
                sin = -sinX;
                cos = -cosX;
                break;
            default:
                sin = -cosX;
                cos = sinX;
                break;
        }
    }

    private static float[] CreateRecurrent(InitializationScheme scheme, int gates, int inputSize, int hidden, string name, int? unitBiasGate, Random random)
    {
        long gateRows = (long)gates * hidden;
        float pyTorchBound = (float)(1.0 / Math.Sqrt(hidden));
        float[] tensor;
        switch (name)
        {
            case "weight_ih":
                tensor = Allocate(gateRows * inputSize);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }
                else
                {
                    // Keras' kernel is the transpose, (I, G·H); i.i.d. values make the layout irrelevant.
                    Uniform(tensor, GlorotLimit(inputSize, gateRows), random);
                }

                break;

            case "weight_hh":
                tensor = Allocate(gateRows * hidden);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }
                else
                {
                    // Keras' (H, G·H) orthogonal kernel, transposed: the same as drawing [G·H, H] directly.
                    // Keras' GRU stacks z, r, h rather than r, z, n, but permuting gate blocks maps that
                    // distribution onto itself, so no reordering is needed.
                    Orthogonal(tensor, (int)gateRows, hidden, random);
                }

                break;

            case "bias_ih":
                tensor = Allocate(gateRows);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }
                else if (unitBiasGate is int gate)
                {
                    // unit_forget_bias; Keras and PyTorch both order LSTM gates i, f, g (c), o.
                    tensor.AsSpan(gate * hidden, hidden).Fill(1f);
                }

                break;

            case "bias_hh":
                tensor = Allocate(gateRows);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }

                break;

            case "weight_peephole" when gates == 4:
                tensor = Allocate(3L * hidden);
                Uniform(tensor, scheme == InitializationScheme.PyTorch ? pyTorchBound : GlorotLimit(hidden, hidden), random);
                break;

            default:
                throw new ArgumentException($"'{name}' is not a tensor of a recurrent layer; expected weight_ih, weight_hh, bias_ih, bias_hh or (LSTM) weight_peephole.", nameof(name));
        }

        return tensor;
    }

    private static float[] CreateDense(InitializationScheme scheme, int inputSize, int outputSize, string name, Random random)
    {
        // kaiming_uniform_(a = √5) has bound √3 · √(2 / (1 + 5)) / √fan_in = 1/√fan_in, as the bias does.
        float pyTorchBound = (float)(1.0 / Math.Sqrt(inputSize));
        float[] tensor;
        switch (name)
        {
            case "weight":
                tensor = Allocate((long)outputSize * inputSize);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }
                else
                {
                    Uniform(tensor, GlorotLimit(inputSize, outputSize), random);
                }

                break;

            case "bias":
                tensor = Allocate(outputSize);
                if (scheme == InitializationScheme.PyTorch)
                {
                    Uniform(tensor, pyTorchBound, random);
                }

                break;

            default:
                throw new ArgumentException($"'{name}' is not a tensor of a Dense layer; expected weight or bias.", nameof(name));
        }

        return tensor;
    }

    private static float GlorotLimit(long fanIn, long fanOut) => (float)Math.Sqrt(6.0 / ((double)fanIn + fanOut));

    private static float[] Allocate(long length)
    {
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A tensor of {length} values exceeds the largest array.", "size");
        }

        return new float[length];
    }

    // Scalar loops in a fixed order: vectorized reductions would sum in a hardware-dependent order and
    // break bit-identical results across machines.
    private static double Dot(ReadOnlySpan<double> left, ReadOnlySpan<double> right)
    {
        double sum = 0;
        for (int i = 0; i < left.Length; i++)
        {
            sum += left[i] * right[i];
        }

        return sum;
    }

    private static void AddScaled(Span<double> target, double scale, ReadOnlySpan<double> source)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += scale * source[i];
        }
    }
}
