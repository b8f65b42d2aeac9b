using System;

namespace FixedRnn.Training;

/// <summary>
/// Stops <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> when the monitored loss has stopped improving,
/// with the semantics of Keras 3's <c>keras.callbacks.EarlyStopping</c> (mode <c>"min"</c>) and its defaults.
/// </summary>
/// <remarks>
/// <para>At the end of each epoch <c>e</c> (0-based, as Keras counts), with <c>current</c> the monitored loss:</para>
/// <list type="number">
/// <item><description>before <see cref="StartFromEpoch"/>, nothing happens;</description></item>
/// <item><description>with <see cref="RestoreBestWeights"/> and no best weights yet, the current weights become the best;</description></item>
/// <item><description>
/// <c>wait</c> grows by one; if <c>current &lt; best − MinDelta</c>, the epoch improves: <c>best = current</c>, its
/// weights are kept, and <c>wait</c> returns to 0 unless a <see cref="Baseline"/> is set and not beaten
/// (<c>current &lt; Baseline − MinDelta</c>);
/// </description></item>
/// <item><description>otherwise, training stops once <c>wait ≥ Patience</c> and <c>e &gt; 0</c>.</description></item>
/// </list>
/// <para>
/// When training ends, by stopping or after the last epoch, the model gets the kept weights back if
/// <see cref="RestoreBestWeights"/> is set (Keras 3; TF2 Keras restored them only when it stopped early).
/// A NaN loss never improves. Where FixedRnn differs from Keras: monitoring the validation loss without a
/// validation split is an <see cref="ArgumentException"/> before training, where Keras warns and never stops; and if
/// training ends by an exception the weights are those of the last completed epoch (see
/// <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/>), never the kept ones.
/// </para>
/// </remarks>
public sealed class EarlyStopping
{
    private readonly int _patience;
    private readonly float _minDelta;
    private readonly float? _baseline;
    private readonly int _startFromEpoch;

    /// <summary>Gets the loss to watch; the validation loss unless set.</summary>
    public EarlyStoppingMonitor Monitor { get; init; }

    /// <summary>Gets the number of epochs without improvement after which training stops; 0 (Keras' default) or more.</summary>
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

    /// <summary>Gets how much lower than the best a loss must be to count as an improvement; finite, 0 by default.</summary>
    /// <remarks>Keras takes the absolute value of its <c>min_delta</c>; a negative value is rejected here instead.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float MinDelta
    {
        get => _minDelta;
        init
        {
            if (!(value >= 0 && float.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be finite and non-negative.");
            }

            _minDelta = value;
        }
    }

    /// <summary>Gets whether the model ends with the weights of the best epoch; false by default, as in Keras.</summary>
    public bool RestoreBestWeights { get; init; }

    /// <summary>
    /// Gets the loss an epoch must beat (by <see cref="MinDelta"/>) to reset the patience; null for none. Epochs that
    /// improve on the best without beating it still become the best.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN.</exception>
    public float? Baseline
    {
        get => _baseline;
        init
        {
            if (value is float baseline && float.IsNaN(baseline))
            {
                throw new ArgumentOutOfRangeException(nameof(Baseline), value, "The baseline must be a number or null.");
            }

            _baseline = value;
        }
    }

    /// <summary>Gets the number of epochs to train before watching the loss (Keras' <c>start_from_epoch</c>); 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int StartFromEpoch
    {
        get => _startFromEpoch;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(StartFromEpoch));
            _startFromEpoch = value;
        }
    }
}
