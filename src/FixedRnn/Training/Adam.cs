using System;
using System.Numerics.Tensors;

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

    // Holds g², then the denominator, then the update; reused so a step needs no memory beyond the moments.
    private readonly float[] _scratch;

    // The L2-decayed gradient; only needed when the decay is added to the gradient, which must not be modified.
    private readonly float[]? _decayedGradient;

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
        _scratch = new float[parameterCount];
        if (weightDecay != 0 && !decoupledWeightDecay)
        {
            _decayedGradient = new float[parameterCount];
        }
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
    protected sealed override void StepCore(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        ReadOnlySpan<float> g = gradients;
        if (WeightDecay != 0)
        {
            if (_decoupledWeightDecay)
            {
                // PyTorch forms 1 - lr·wd from Python floats, i.e. in double, before scaling the float parameters.
                TensorPrimitives.Multiply(parameters, (float)(1.0 - ((double)LearningRate * WeightDecay)), parameters);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(parameters, WeightDecay, gradients, _decayedGradient);
                g = _decayedGradient;
            }
        }

        Span<float> m = _firstMoment;
        Span<float> v = _secondMoment;
        Span<float> scratch = _scratch;

        TensorPrimitives.Multiply(m, Beta1, m);
        TensorPrimitives.MultiplyAdd(g, (float)(1.0 - Beta1), m, m);

        TensorPrimitives.Multiply(v, Beta2, v);
        TensorPrimitives.Multiply(g, (float)(1.0 - Beta2), scratch);
        TensorPrimitives.MultiplyAdd(scratch, g, v, v);

        double step = StepCount;
        double biasCorrection1 = 1.0 - Math.Pow(Beta1, step);
        double biasCorrection2 = 1.0 - Math.Pow(Beta2, step);
        float stepSize = (float)(LearningRate / biasCorrection1);
        float biasCorrection2Sqrt = (float)Math.Sqrt(biasCorrection2);

        TensorPrimitives.Sqrt(v, scratch);
        TensorPrimitives.Divide(scratch, biasCorrection2Sqrt, scratch);
        TensorPrimitives.Add(scratch, Epsilon, scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -stepSize, parameters, parameters);
    }

    private static void ThrowIfNotBeta(float beta, string paramName)
    {
        // Also rejects NaN. beta = 1 would make the bias correction divide by zero.
        if (!(beta >= 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(paramName, beta, "The decay rate must be in [0, 1).");
        }
    }
}
