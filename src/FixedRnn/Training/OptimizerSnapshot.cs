namespace FixedRnn.Training;

/// <summary>
/// A copy of one optimizer's state (step count, learning rate, per-parameter buffers), made by
/// <see cref="Optimizer.CreateSnapshot"/> and refreshed by <see cref="Optimizer.Save"/>, to be put back with
/// <see cref="Optimizer.Restore"/>: trainers use it to roll an optimizer back to the end of the last completed epoch.
/// </summary>
public sealed class OptimizerSnapshot
{
    internal OptimizerSnapshot(Optimizer owner, int stateLength)
    {
        Owner = owner;
        State = new float[stateLength];
    }

    /// <summary>Gets the optimizer's step count when the snapshot was taken.</summary>
    public long StepCount { get; internal set; }

    /// <summary>Gets the optimizer's learning rate when the snapshot was taken.</summary>
    public float LearningRate { get; internal set; }

    internal Optimizer Owner { get; }

    internal float[] State { get; }
}
