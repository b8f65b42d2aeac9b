using System;

namespace FixedRnn.Training;

/// <summary>
/// How a <see cref="SequenceTrainer{TModel, TState, TTrace}"/> trains. Each property rejects an invalid value when it
/// is set, with an <see cref="ArgumentException"/> naming it; what depends on the series or the trainer (a window
/// longer than the trainer's, a stride longer than the window, a validation fraction that holds out no step) is
/// checked by <c>Fit</c> before any parameter changes.
/// </summary>
public sealed class TrainerOptions
{
    private readonly int _epochs = 10;
    private readonly int _windowLength;
    private readonly int _stride;
    private readonly float _maxGradientNorm = float.PositiveInfinity;
    private readonly float _validationFraction;
    private readonly int _patience;
    private readonly LossFunction _loss = Losses.MeanSquaredError;

    /// <summary>Passes over the training part of the series; 1 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Epochs
    {
        get => _epochs;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Epochs));
            _epochs = value;
        }
    }

    /// <summary>
    /// Steps per window of truncated BPTT: gradients flow back at most this far, and the state is carried
    /// across windows. 0 trains on the whole training series as one window (full BPTT).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int WindowLength
    {
        get => _windowLength;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(WindowLength));
            _windowLength = value;
        }
    }

    /// <summary>Steps between the starts of consecutive windows; 0 means <see cref="WindowLength"/> (no overlap).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int Stride
    {
        get => _stride;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Stride));
            _stride = value;
        }
    }

    /// <summary>Clips the gradient to this global L2 norm before each update; infinity (the default) never clips.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or NaN.</exception>
    public float MaxGradientNorm
    {
        get => _maxGradientNorm;
        init
        {
            if (!(value >= 0))
            {
                throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), value, "MaxGradientNorm must be non-negative.");
            }

            _maxGradientNorm = value;
        }
    }

    /// <summary>
    /// The fraction of the series, taken from its end, held out for validation (time order is kept), in [0, 1): the
    /// last <c>round(N · fraction)</c> steps. A positive fraction must hold out at least one step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or not below 1.</exception>
    public float ValidationFraction
    {
        get => _validationFraction;
        init
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ValidationFraction), value, "ValidationFraction must be in [0, 1).");
            }

            _validationFraction = value;
        }
    }

    /// <summary>Stops after this many epochs without a better validation loss and restores the best parameters; 0 never stops early.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int Patience
    {
        get => _patience;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(Patience));
            _patience = value;
        }
    }

    /// <summary>The loss; mean squared error unless set.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public LossFunction Loss
    {
        get => _loss;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Loss));
            _loss = value;
        }
    }

    /// <summary>
    /// Sets the learning rate at the start of each epoch from the optimizer's <see cref="Optimizer.InitialLearningRate"/>
    /// (in every <c>Fit</c>, whatever rate an earlier one left); none keeps the optimizer's current rate.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Called after every epoch, for progress reporting.</summary>
    public Action<EpochReport>? OnEpoch { get; init; }
}
