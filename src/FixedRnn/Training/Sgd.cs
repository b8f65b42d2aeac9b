using System;
using System.Numerics.Tensors;

namespace FixedRnn.Training;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum, dampening and L2 weight decay, following
/// PyTorch's <c>torch.optim.SGD</c>.
/// </summary>
/// <remarks>
/// <para>Each step computes, in this order (all operations elementwise, <c>t</c> the 1-based step index):</para>
/// <code>
/// d = g + weightDecay · p                        (when weightDecay ≠ 0)
/// b = d                                          (when momentum ≠ 0, at t = 1)
/// b = momentum · b + (1 − dampening) · d         (when momentum ≠ 0, at t &gt; 1)
/// d = nesterov ? d + momentum · b : b            (when momentum ≠ 0)
/// p = p − learningRate · d
/// </code>
/// </remarks>
public sealed class Sgd : Optimizer
{
    private readonly float[]? _momentumBuffer;

    // Holds the weight-decayed gradient and then the Nesterov direction, so the caller's gradient stays untouched.
    private readonly float[]? _direction;

    private readonly float _gradientScale;

    /// <summary>Initializes a new instance of the <see cref="Sgd"/> class.</summary>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    /// <param name="learningRate">The learning rate; finite and non-negative.</param>
    /// <param name="momentum">The momentum factor; finite and non-negative. 0 disables momentum.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum, which requires a positive <paramref name="momentum"/> and zero <paramref name="dampening"/>.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient; finite and non-negative.</param>
    /// <param name="dampening">The dampening applied to the gradient when it enters the momentum buffer after the first step; finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parameterCount"/> is negative, or a hyperparameter is negative or not finite
    /// (<paramref name="dampening"/> only needs to be finite).
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> is set but <paramref name="momentum"/> is 0 or <paramref name="dampening"/> is not 0.</exception>
    public Sgd(int parameterCount, float learningRate, float momentum = 0, bool nesterov = false, float weightDecay = 0, float dampening = 0)
        : base(parameterCount, learningRate)
    {
        ThrowIfNegativeOrNotFinite(momentum, nameof(momentum));
        ThrowIfNegativeOrNotFinite(weightDecay, nameof(weightDecay));
        if (!float.IsFinite(dampening))
        {
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "The dampening must be finite.");
        }

        if (nesterov && (momentum == 0 || dampening != 0))
        {
            throw new ArgumentException("Nesterov momentum requires a positive momentum and zero dampening.", nameof(nesterov));
        }

        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        Dampening = dampening;

        // PyTorch evaluates 1 - dampening in double before the tensor operation rounds it to float.
        _gradientScale = (float)(1.0 - dampening);

        if (momentum != 0)
        {
            _momentumBuffer = new float[parameterCount];
        }

        if (weightDecay != 0 || nesterov)
        {
            _direction = new float[parameterCount];
        }
    }

    /// <summary>Gets the momentum factor; 0 when momentum is disabled.</summary>
    public float Momentum { get; }

    /// <summary>Gets a value indicating whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Gets the L2 penalty coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Gets the dampening applied to gradients entering the momentum buffer.</summary>
    public float Dampening { get; }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        _momentumBuffer?.AsSpan().Clear();
    }

    /// <inheritdoc/>
    /// <remarks>The momentum buffer, when there is momentum.</remarks>
    protected override int StateLength => _momentumBuffer?.Length ?? 0;

    /// <inheritdoc/>
    protected override void SaveState(Span<float> destination) => _momentumBuffer?.CopyTo(destination);

    /// <inheritdoc/>
    protected override void RestoreState(ReadOnlySpan<float> source) => source.CopyTo(_momentumBuffer);

    /// <inheritdoc/>
    protected override void StepCore(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        ReadOnlySpan<float> direction = gradients;
        if (WeightDecay != 0)
        {
            TensorPrimitives.MultiplyAdd(parameters, WeightDecay, gradients, _direction);
            direction = _direction;
        }

        if (_momentumBuffer is float[] buffer)
        {
            // PyTorch creates the buffer as a copy of the first direction rather than decaying a zero buffer, which
            // skips the dampening on the first step.
            if (StepCount == 1)
            {
                direction.CopyTo(buffer);
            }
            else
            {
                TensorPrimitives.Multiply(buffer, Momentum, buffer);
                TensorPrimitives.MultiplyAdd(direction, _gradientScale, buffer, buffer);
            }

            if (Nesterov)
            {
                TensorPrimitives.MultiplyAdd(buffer, Momentum, direction, _direction);
                direction = _direction;
            }
            else
            {
                direction = buffer;
            }
        }

        TensorPrimitives.MultiplyAdd(direction, -LearningRate, parameters, parameters);
    }
}
