using System;
using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>A trained network with its history and test forecasts, still able to run for timing.</summary>
/// <remarks>
/// Timing is a separate step from training so that it runs after the progress display has stopped:
/// the display's refresh thread would otherwise share the two cores with the timed loop.
/// </remarks>
public abstract class TrainedModel(ModelSpec spec, int parameterCount, TrainingResult training, float[] testForecasts)
{
    /// <summary>Which network.</summary>
    public ModelSpec Spec { get; } = spec;

    /// <summary>Trainable floats, padding of the packed layout included.</summary>
    public int ParameterCount { get; } = parameterCount;

    /// <summary>The per-epoch losses and the epoch whose weights were kept.</summary>
    public TrainingResult Training { get; } = training;

    /// <summary>
    /// The report of the epoch whose weights the model holds, or null when no epoch improved on the
    /// validation loss (it was not finite) and the initial weights were kept.
    /// </summary>
    public EpochReport? KeptEpoch => Training.BestEpoch > 0 ? Training.History[Training.BestEpoch - 1] : null;

    /// <summary>Standardized next-day return forecasts for the test pairs.</summary>
    public float[] TestForecasts { get; } = testForecasts;

    /// <summary>Times Step tick by tick over <paramref name="ticks"/>, replayed as often as needed.</summary>
    public abstract LatencyStats MeasureLatency(ReadOnlySpan<float> ticks);
}

/// <summary>A <see cref="TrainedModel"/> of one generated model type.</summary>
public sealed class TrainedModel<TModel, TState>(ModelSpec spec, TModel model, TrainingResult training, float[] testForecasts)
    : TrainedModel(spec, model.Parameters.Length, training, testForecasts)
    where TModel : IRecurrentModel<TState>
    where TState : struct
{
    /// <inheritdoc />
    public override LatencyStats MeasureLatency(ReadOnlySpan<float> ticks) => LatencyMeter.Measure<TModel, TState>(model, ticks);
}
