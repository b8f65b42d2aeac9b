namespace FixedRnn.Training;

/// <summary>What one mini-batch of <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> did, reported after its update.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Batch">The batch within the epoch, from 1.</param>
/// <param name="Batches">The batches per epoch.</param>
/// <param name="Size">The batch's sequences; the last batch of an epoch may be smaller than the batch size.</param>
/// <param name="Loss">The batch's loss, computed before its update (what Keras logs per batch).</param>
/// <param name="LearningRate">The learning rate of the update.</param>
public readonly record struct BatchReport(int Epoch, int Batch, int Batches, int Size, float Loss, float LearningRate);
