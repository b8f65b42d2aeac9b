using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixedRnn.Training;

/// <summary>
/// The Adam optimizer with optional L2 weight decay added to the gradient, following PyTorch's <c>torch.optim.Adam</c>
/// (without AMSGrad).
/// </summary>
/// <remarks>
/// <para>Each step computes, elementwise, with <c>t</c> the 1-based step index:</para>
/// <code>
/// g = g + weightDecay · p                         (when weightDecay ≠ 0)
/// m = beta1 · m + (1 − beta1) · g
/// v = beta2 · v + (1 − beta2) · g²
/// p = p − (learningRate / (1 − beta1^t)) · m / (√v / √(1 − beta2^t) + epsilon)
/// </code>
/// <para>
/// As in PyTorch, the bias corrections and the step size are computed in double precision and the moment updates in
/// single precision. <see cref="AdamW"/> derives from this class and replaces the L2 penalty by decoupled weight decay.
/// </para>
/// </remarks>
public class Adam : Optimizer
{
    private readonly float[] _firstMoment;
    private readonly float[] _secondMoment;

    private readonly bool _decoupledWeightDecay;

    /// <summary>Initializes a new instance of the <see cref="Adam"/> class.</summary>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    /// <param name="learningRate">The learning rate; finite and non-negative.</param>
    /// <param name="beta1">The decay rate of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay rate of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">The term added to the denominator for numerical stability; finite and non-negative.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parameterCount"/> is negative or a hyperparameter is outside its range.
    /// </exception>
    public Adam(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0)
        : this(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: false)
    {
    }

    /// <summary>Initializes the shared Adam state, with weight decay either added to the gradient or applied to the parameters.</summary>
    private protected Adam(int parameterCount, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupledWeightDecay)
        : base(parameterCount, learningRate)
    {
        ThrowIfNotBeta(beta1, nameof(beta1));
        ThrowIfNotBeta(beta2, nameof(beta2));
        ThrowIfNegativeOrNotFinite(epsilon, nameof(epsilon));
        ThrowIfNegativeOrNotFinite(weightDecay, nameof(weightDecay));

        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _decoupledWeightDecay = decoupledWeightDecay;

        _firstMoment = new float[parameterCount];
        _secondMoment = new float[parameterCount];
    }

    /// <summary>Gets the decay rate of the first-moment estimate.</summary>
    public float Beta1 { get; }

    /// <summary>Gets the decay rate of the second-moment estimate.</summary>
    public float Beta2 { get; }

    /// <summary>Gets the term added to the denominator for numerical stability.</summary>
    public float Epsilon { get; }

    /// <summary>Gets the weight decay coefficient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _firstMoment.AsSpan().Clear();
        _secondMoment.AsSpan().Clear();
    }

    /// <inheritdoc/>
    /// <remarks>Both moment estimates: twice the parameter count.</remarks>
    protected override int StateLength => _firstMoment.Length + _secondMoment.Length;

    /// <inheritdoc/>
    protected override void SaveState(Span<float> destination)
    {
        _firstMoment.CopyTo(destination);
        _secondMoment.CopyTo(destination[_firstMoment.Length..]);
    }

    /// <inheritdoc/>
    protected override void RestoreState(ReadOnlySpan<float> source)
    {
        source[.._firstMoment.Length].CopyTo(_firstMoment);
        source.Slice(_firstMoment.Length, _secondMoment.Length).CopyTo(_secondMoment);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One pass over the parameters, reading each of p, g, m and v once: a step is bound by memory traffic, and the
    /// form this replaced (one whole-vector operation per term of the equations above) passed over the buffers ten
    /// times. Each element goes through the same operations in the same order as that form, every product and sum
    /// rounded separately, so the two agree bit for bit (AdamSinglePassTests). PyTorch orders and fuses some of
    /// them differently; it agrees within the 1e-5 relative tolerance OptimizerTests checks.
    /// </remarks>
    protected sealed override void StepCore(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        double step = StepCount;
        var constants = new StepConstants(
            Beta1,
            (float)(1.0 - Beta1),
            Beta2,
            (float)(1.0 - Beta2),
            Epsilon,
            // PyTorch computes the bias corrections and the step size from Python floats, i.e. in double.
            StepSize: (float)(LearningRate / (1.0 - Math.Pow(Beta1, step))),
            BiasCorrection2Sqrt: (float)Math.Sqrt(1.0 - Math.Pow(Beta2, step)),
            L2Decay: _decoupledWeightDecay ? 0 : WeightDecay,
            // PyTorch forms 1 - lr·wd from Python floats, i.e. in double, before scaling the float parameters.
            DecoupledScale: _decoupledWeightDecay && WeightDecay != 0 ? (float)(1.0 - ((double)LearningRate * WeightDecay)) : 1f);

        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradients);
        ref float m = ref MemoryMarshal.GetArrayDataReference(_firstMoment);
        ref float v = ref MemoryMarshal.GetArrayDataReference(_secondMoment);
        nuint length = (nuint)parameters.Length;
        nuint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            nuint lanes = (nuint)Vector<float>.Count;
            for (; i + lanes <= length; i += lanes)
            {
                Vector<float> parameter = Vector.LoadUnsafe(ref p, i);
                Vector<float> gradient = Vector.LoadUnsafe(ref g, i);
                Vector<float> first = Vector.LoadUnsafe(ref m, i);
                Vector<float> second = Vector.LoadUnsafe(ref v, i);
                if (constants.DecoupledScale != 1f)
                {
                    parameter *= constants.DecoupledScale;
                }

                if (constants.L2Decay != 0)
                {
                    gradient = (parameter * constants.L2Decay) + gradient;
                }

                first *= constants.Beta1;
                first = (gradient * constants.OneMinusBeta1) + first;
                second *= constants.Beta2;
                second = (gradient * constants.OneMinusBeta2 * gradient) + second;
                Vector<float> denominator = (Vector.SquareRoot(second) / constants.BiasCorrection2Sqrt) + new Vector<float>(constants.Epsilon);
                parameter = ((first / denominator) * -constants.StepSize) + parameter;
                first.StoreUnsafe(ref m, i);
                second.StoreUnsafe(ref v, i);
                parameter.StoreUnsafe(ref p, i);
            }
        }

        for (; i < length; i++)
        {
            float parameter = Unsafe.Add(ref p, i);
            float gradient = Unsafe.Add(ref g, i);
            if (constants.DecoupledScale != 1f)
            {
                parameter *= constants.DecoupledScale;
            }

            if (constants.L2Decay != 0)
            {
                gradient = (parameter * constants.L2Decay) + gradient;
            }

            float first = Unsafe.Add(ref m, i) * constants.Beta1;
            first = (gradient * constants.OneMinusBeta1) + first;
            float second = Unsafe.Add(ref v, i) * constants.Beta2;
            second = (gradient * constants.OneMinusBeta2 * gradient) + second;
            float denominator = (MathF.Sqrt(second) / constants.BiasCorrection2Sqrt) + constants.Epsilon;
            Unsafe.Add(ref m, i) = first;
            Unsafe.Add(ref v, i) = second;
            Unsafe.Add(ref p, i) = ((first / denominator) * -constants.StepSize) + parameter;
        }
    }

    /// <summary>The per-step scalars of <see cref="StepCore"/>, in the precision PyTorch uses for each.</summary>
    private readonly record struct StepConstants(
        float Beta1,
        float OneMinusBeta1,
        float Beta2,
        float OneMinusBeta2,
        float Epsilon,
        float StepSize,
        float BiasCorrection2Sqrt,
        float L2Decay,
        float DecoupledScale);

    private static void ThrowIfNotBeta(float beta, string paramName)
    {
        // Also rejects NaN. beta = 1 would make the bias correction divide by zero.
        if (!(beta >= 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(paramName, beta, "The decay rate must be in [0, 1).");
        }
    }
}
