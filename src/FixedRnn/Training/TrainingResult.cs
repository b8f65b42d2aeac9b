using System.Collections.Generic;

namespace FixedRnn.Training;

/// <summary>The outcome of <see cref="SequenceTrainer{TModel, TState, TTrace}.Fit"/>.</summary>
/// <param name="History">One report per epoch run.</param>
/// <param name="BestEpoch">The epoch whose parameters the model holds at the end (the last one without validation).</param>
/// <param name="StoppedEarly">Whether early stopping ended training before the planned epochs.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> History, int BestEpoch, bool StoppedEarly);
