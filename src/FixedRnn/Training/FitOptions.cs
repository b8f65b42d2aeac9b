using System;

namespace FixedRnn.Training;

/// <summary>
/// How <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> trains: the arguments of Keras' <c>model.fit</c>, with
/// Keras' defaults where it has one. Each property rejects an invalid value when it is set, with an
/// <see cref="ArgumentException"/> naming it; what depends on the data or the trainer is checked by <c>Fit</c>
/// before anything changes.
/// </summary>
public sealed class FitOptions
{
    private readonly int _epochs = 1;
    private readonly int _batchSize = 32;
    private readonly double _validationSplit;
    private readonly float _maxGradientNorm = float.PositiveInfinity;
    private readonly LossFunction _loss = Losses.MeanSquaredError;

    /// <summary>Gets the number of passes over the training samples; 1 (Keras' default) or more.</summary>
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
    /// Gets the number of sequences per update; 32 by default, as in Keras. The last batch of an epoch holds the
    /// remainder. It must not exceed the trainer's <see cref="BatchTrainer{TModel, TState, TTrace}.MaxBatchSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int BatchSize
    {
        get => _batchSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(BatchSize));
            _batchSize = value;
        }
    }

    /// <summary>Gets whether the training samples are put in a new random order every epoch; true by default, as in Keras.</summary>
    /// <remarks>Only the training part is shuffled: the validation split is taken first, from the unshuffled samples.</remarks>
    public bool Shuffle { get; init; } = true;

    /// <summary>Gets the seed of the shuffling; the same seed gives the same orders, on every platform.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Gets the fraction of the samples held out for validation, in [0, 1); 0 (the default) holds out none. As in
    /// Keras, the validation part is the last <c>N − ⌊N · (1 − ValidationSplit)⌋</c> samples, before any shuffling,
    /// computed in double precision as Python does; a split that leaves either part empty is an error.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or not below 1.</exception>
    public double ValidationSplit
    {
        get => _validationSplit;
        init
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ValidationSplit), value, "ValidationSplit must be in [0, 1).");
            }

            _validationSplit = value;
        }
    }

    /// <summary>Gets the early stopping, or null (the default) to train every epoch.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// Gets the global L2 norm each batch's gradient is clipped to before its update (Keras' <c>global_clipnorm</c>,
    /// with PyTorch's 1e-6 added to the norm, see <see cref="GradientClipping.ClipByGlobalNorm"/>); infinity (the
    /// default) never clips.
    /// </summary>
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
    /// Gets the loss, over a batch's predictions and targets as they are laid out (<c>[B, OutputSize]</c> for targets
    /// on the last step, <c>[B, T, OutputSize]</c> for targets at every step); mean squared error unless set. The
    /// losses in <see cref="Losses"/> are means over the batch, as Keras' are, so each sequence's gradient carries 1/B.
    /// For classification use <see cref="Losses.SoftmaxCrossEntropy(int)"/> with one-hot targets (Keras'
    /// <c>CategoricalCrossentropy(from_logits=True)</c>).
    /// </summary>
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
    /// Gets the schedule that sets the learning rate at the start of each epoch from the optimizer's
    /// <see cref="Optimizer.InitialLearningRate"/> (in every <c>Fit</c>, whatever rate an earlier one left); null
    /// (the default) leaves the optimizer's current rate alone.
    /// </summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Gets the callback run after every epoch (after validation and the early-stopping decision).</summary>
    public Action<EpochReport>? OnEpoch { get; init; }

    /// <summary>Gets the callback run after every batch's update.</summary>
    public Action<BatchReport>? OnBatch { get; init; }
}
