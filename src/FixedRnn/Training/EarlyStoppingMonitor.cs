namespace FixedRnn.Training;

/// <summary>The loss <see cref="EarlyStopping"/> watches, Keras' <c>monitor</c>.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The loss on the validation split after each epoch (Keras' <c>"val_loss"</c>, its default).</summary>
    ValidationLoss,

    /// <summary>The epoch's training loss (Keras' <c>"loss"</c>).</summary>
    TrainingLoss,
}
