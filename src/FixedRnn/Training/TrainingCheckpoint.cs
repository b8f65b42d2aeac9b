using System;

namespace FixedRnn.Training;

/// <summary>
/// The parameters and the optimizer's state at the end of the last completed epoch, so a trainer can put both back
/// when an epoch does not complete (a callback, the schedule or the loss threw). Allocated once, with the trainer.
/// </summary>
internal sealed class TrainingCheckpoint
{
    private readonly float[] _parameters;
    private readonly OptimizerSnapshot _optimizer;

    public TrainingCheckpoint(int parameterCount, Optimizer optimizer)
    {
        _parameters = new float[parameterCount];
        _optimizer = optimizer.CreateSnapshot();
    }

    public void Save(ReadOnlySpan<float> parameters, Optimizer optimizer)
    {
        parameters.CopyTo(_parameters);
        optimizer.Save(_optimizer);
    }

    public void Restore(Span<float> parameters, Optimizer optimizer)
    {
        _parameters.CopyTo(parameters);
        optimizer.Restore(_optimizer);
    }
}
