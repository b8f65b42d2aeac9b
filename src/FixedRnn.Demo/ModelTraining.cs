using System;
using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>Trains a network on a <see cref="ForecastDataset"/> and produces its test-part forecasts.</summary>
public static class ModelTraining
{
    /// <summary>
    /// Initializes and trains <paramref name="model"/> on the training part, with early stopping on the
    /// validation part; the model ends with the best validation epoch's weights.
    /// </summary>
    public static TrainingResult Train<TModel, TState, TTrace>(TModel model, ForecastDataset data, TrainingSettings settings, Action<EpochReport> onEpoch)
        where TModel : ITrainableModel<TState, TTrace>
        where TState : struct
        where TTrace : class
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);

        model.Initialize(settings.Initialization, settings.Seed);
        var trainer = new SequenceTrainer<TModel, TState, TTrace>(
            model, new Adam(model.Parameters.Length, settings.LearningRate), settings.WindowLength);

        // The trainer holds out the tail of what it is given, so it gets training + validation and never
        // sees the test part. The validation loss is measured with the state carried through the
        // training part, as the forecaster would run.
        int seen = data.TrainingCount + data.ValidationCount;
        return trainer.Fit(
            data.Inputs.AsSpan(0, seen),
            data.Targets.AsSpan(0, seen),
            new TrainerOptions
            {
                Epochs = settings.Epochs,
                WindowLength = Math.Min(settings.WindowLength, data.TrainingCount),
                Stride = Math.Min(settings.Stride, Math.Min(settings.WindowLength, data.TrainingCount)),
                MaxGradientNorm = settings.MaxGradientNorm,
                ValidationFraction = (float)data.ValidationCount / seen,
                Patience = settings.Patience,
                Loss = Losses.MeanSquaredError,
                OnEpoch = onEpoch,
            });
    }

    /// <summary>
    /// Runs the trained model over the whole series from the zero state and returns its standardized
    /// forecasts for the test pairs: the state has seen every earlier day, as a live forecaster's would.
    /// </summary>
    public static float[] ForecastTestPart<TModel, TState>(TModel model, ForecastDataset data)
        where TModel : IRecurrentModel<TState>
        where TState : struct
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var outputs = new float[data.Inputs.Length];
        var state = default(TState);
        model.Forward(data.Inputs, ref state, outputs);
        return outputs[data.TestStart..];
    }
}
