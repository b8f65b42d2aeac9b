namespace FixedRnn.Training;

/// <summary>How a <see cref="SequenceTrainer{TModel, TState, TTrace}"/> trains.</summary>
public sealed class TrainerOptions
{
    /// <summary>Passes over the training part of the series.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>
    /// Steps per window of truncated BPTT: gradients flow back at most this far, and the state is carried
    /// across windows. 0 trains on the whole training series as one window (full BPTT).
    /// </summary>
    public int WindowLength { get; init; }

    /// <summary>Steps between the starts of consecutive windows; 0 means <see cref="WindowLength"/> (no overlap).</summary>
    public int Stride { get; init; }

    /// <summary>Clips the gradient to this global L2 norm before each update; infinity (the default) never clips.</summary>
    public float MaxGradientNorm { get; init; } = float.PositiveInfinity;

    /// <summary>The fraction of the series, taken from its end, held out for validation (time order is kept).</summary>
    public float ValidationFraction { get; init; }

    /// <summary>Stops after this many epochs without a better validation loss and restores the best parameters; 0 never stops early.</summary>
    public int Patience { get; init; }

    /// <summary>The loss; mean squared error unless set.</summary>
    public LossFunction Loss { get; init; } = Losses.MeanSquaredError;

    /// <summary>Sets the learning rate at the start of each epoch from the optimizer's initial rate; none keeps it.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Called after every epoch, for progress reporting.</summary>
    public System.Action<EpochReport>? OnEpoch { get; init; }
}
