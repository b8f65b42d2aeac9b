namespace FixedRnn.Training;

/// <summary>What one epoch of training achieved.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The planned number of epochs.</param>
/// <param name="TrainingLoss">The mean loss over the epoch's windows, weighted by their steps.</param>
/// <param name="ValidationLoss">The loss on the validation part after the epoch, or NaN without one.</param>
/// <param name="LearningRate">The learning rate used in the epoch.</param>
/// <param name="IsBest">Whether this epoch has the best validation loss so far.</param>
public readonly record struct EpochReport(int Epoch, int Epochs, float TrainingLoss, float ValidationLoss, float LearningRate, bool IsBest);
