using System;

namespace FixedRnn.Training;

/// <summary>
/// A first-order optimizer that updates a fixed-size flat parameter vector in place from its gradient.
/// </summary>
/// <remarks>
/// Every buffer an optimizer needs is allocated by its constructor, so <see cref="Step"/> never allocates. An instance
/// holds the state (momentum, moment estimates, step count) of one parameter vector; use one instance per vector.
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;

    /// <summary>Initializes the shared optimizer state.</summary>
    /// <param name="parameterCount">The length of the parameter vector this optimizer updates.</param>
    /// <param name="learningRate">The initial learning rate; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parameterCount"/> is negative, or <paramref name="learningRate"/> is negative or not finite.
    /// </exception>
    protected Optimizer(int parameterCount, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ThrowIfNegativeOrNotFinite(learningRate, nameof(learningRate));
        ParameterCount = parameterCount;
        _learningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>Gets the length of the parameter and gradient vectors accepted by <see cref="Step"/>.</summary>
    public int ParameterCount { get; }

    /// <summary>Gets or sets the learning rate used by subsequent steps.</summary>
    /// <remarks>Changing it between steps (for example from a <see cref="LearningRateSchedule"/>) keeps all other state.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            ThrowIfNegativeOrNotFinite(value, nameof(value));
            _learningRate = value;
        }
    }

    /// <summary>Gets the learning rate the optimizer was constructed with.</summary>
    /// <remarks>
    /// A trainer's <see cref="LearningRateSchedule"/> starts from this rate in every <c>Fit</c>, whatever rate an
    /// earlier <c>Fit</c> or the caller left in <see cref="LearningRate"/>, so two fits with the same schedule
    /// use the same rates.
    /// </remarks>
    public float InitialLearningRate { get; }

    /// <summary>Gets the number of steps taken since construction or the last <see cref="Reset"/>.</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update to <paramref name="parameters"/> in place.</summary>
    /// <param name="parameters">The parameters to update; <see cref="ParameterCount"/> elements.</param>
    /// <param name="gradients">The loss gradient with respect to <paramref name="parameters"/>; <see cref="ParameterCount"/> elements.</param>
    /// <exception cref="ArgumentException">
    /// A span's length is not <see cref="ParameterCount"/>, or the two spans overlap.
    /// </exception>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} parameters but got {parameters.Length}.", nameof(parameters));
        }

        if (gradients.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} gradients but got {gradients.Length}.", nameof(gradients));
        }

        // The update reads the gradient after it has started writing parameters, so shared memory would corrupt it.
        if (parameters.Overlaps(gradients))
        {
            throw new ArgumentException("The gradients must not share memory with the parameters.", nameof(gradients));
        }

        StepCount++;
        StepCore(parameters, gradients);
    }

    /// <summary>
    /// Allocates a snapshot of this optimizer's state: the step count, the learning rate and every per-parameter
    /// buffer (momentum, moment estimates).
    /// </summary>
    /// <returns>A snapshot holding the current state, for <see cref="Restore"/> on this optimizer.</returns>
    public OptimizerSnapshot CreateSnapshot()
    {
        var snapshot = new OptimizerSnapshot(this, StateLength);
        Save(snapshot);
        return snapshot;
    }

    /// <summary>Overwrites <paramref name="snapshot"/> with the current state; allocates nothing.</summary>
    /// <param name="snapshot">A snapshot created by this optimizer's <see cref="CreateSnapshot"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="snapshot"/> belongs to another optimizer.</exception>
    public void Save(OptimizerSnapshot snapshot)
    {
        ThrowIfNotOwn(snapshot);
        snapshot.StepCount = StepCount;
        snapshot.LearningRate = _learningRate;
        SaveState(snapshot.State);
    }

    /// <summary>Puts the optimizer back into the state held by <paramref name="snapshot"/>; allocates nothing.</summary>
    /// <param name="snapshot">A snapshot created by this optimizer's <see cref="CreateSnapshot"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="snapshot"/> belongs to another optimizer.</exception>
    public void Restore(OptimizerSnapshot snapshot)
    {
        ThrowIfNotOwn(snapshot);
        StepCount = snapshot.StepCount;
        _learningRate = snapshot.LearningRate;
        RestoreState(snapshot.State);
    }

    /// <summary>Gets the number of floats of per-parameter state a snapshot must hold; 0 for a stateless optimizer.</summary>
    /// <remarks>
    /// An optimizer with state of its own (momentum, moments) overrides this, <see cref="SaveState"/> and
    /// <see cref="RestoreState"/>; otherwise a snapshot, and the rollback a trainer does after an exception,
    /// covers only the step count and the learning rate.
    /// </remarks>
    protected virtual int StateLength => 0;

    /// <summary>Copies the per-parameter state into <paramref name="destination"/>, <see cref="StateLength"/> floats.</summary>
    /// <param name="destination">Where the state goes.</param>
    protected virtual void SaveState(Span<float> destination)
    {
    }

    /// <summary>Replaces the per-parameter state with <paramref name="source"/>, <see cref="StateLength"/> floats.</summary>
    /// <param name="source">The state written by <see cref="SaveState"/>.</param>
    protected virtual void RestoreState(ReadOnlySpan<float> source)
    {
    }

    /// <summary>Returns the optimizer to its freshly constructed state: zero steps and no accumulated history.</summary>
    /// <remarks>Hyperparameters, including a <see cref="LearningRate"/> changed since construction, are kept.</remarks>
    public virtual void Reset() => StepCount = 0;

    /// <summary>Applies one update after the arguments have been validated.</summary>
    /// <param name="parameters">The parameters to update; exactly <see cref="ParameterCount"/> elements.</param>
    /// <param name="gradients">Their gradients; exactly <see cref="ParameterCount"/> elements, not overlapping <paramref name="parameters"/>.</param>
    /// <remarks>
    /// <see cref="StepCount"/> has already been incremented, so it is the 1-based index of this step, as PyTorch's
    /// <c>state["step"]</c> is when its update runs. Implementations must not allocate.
    /// </remarks>
    protected abstract void StepCore(Span<float> parameters, ReadOnlySpan<float> gradients);

    private void ThrowIfNotOwn(OptimizerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!ReferenceEquals(snapshot.Owner, this))
        {
            throw new ArgumentException("The snapshot was created by another optimizer.", nameof(snapshot));
        }
    }

    /// <summary>Rejects hyperparameters that PyTorch requires to be non-negative, and non-finite ones it would silently propagate.</summary>
    private protected static void ThrowIfNegativeOrNotFinite(float value, string paramName)
    {
        if (!float.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The value must be finite and non-negative.");
        }
    }
}
