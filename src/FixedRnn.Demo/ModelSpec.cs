using System;
using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>
/// A network the demo compares, with the name and colour it has in the console and the chart. The
/// generated model types differ, so each spec closes the generic training code over its own
/// model, state and trace types; the rest of the demo handles specs uniformly.
/// </summary>
public abstract class ModelSpec(string name, string description, string color)
{
    /// <summary>Short name for tables and legends.</summary>
    public string Name { get; } = name;

    /// <summary>The architecture, for the console.</summary>
    public string Description { get; } = description;

    /// <summary>A CSS hex colour (#rrggbb) shared by the console and the chart.</summary>
    public string Color { get; } = color;

    /// <summary>The networks, in the order they are reported.</summary>
    public static ModelSpec[] All { get; } =
    [
        new ModelSpec<LstmForecaster, LstmForecaster.State, LstmForecaster.Trace>("LSTM", "LSTM(32) + Dense(1)", "#1f77b4"),
        new ModelSpec<GruForecaster, GruForecaster.State, GruForecaster.Trace>("GRU", "GRU(32) + Dense(1)", "#d95f02"),
        new ModelSpec<RnnForecaster, RnnForecaster.State, RnnForecaster.Trace>("RNN", "tanh RNN(32) + Dense(1)", "#1b9e77"),
    ];

    /// <summary>Trains a fresh network and forecasts the test part; <paramref name="onEpoch"/> reports progress.</summary>
    public abstract TrainedModel Train(ForecastDataset data, TrainingSettings settings, Action<EpochReport> onEpoch);
}

/// <summary>A <see cref="ModelSpec"/> for one generated model type.</summary>
public sealed class ModelSpec<TModel, TState, TTrace>(string name, string description, string color) : ModelSpec(name, description, color)
    where TModel : ITrainableModel<TState, TTrace>, new()
    where TState : struct
    where TTrace : class
{
    /// <inheritdoc />
    public override TrainedModel Train(ForecastDataset data, TrainingSettings settings, Action<EpochReport> onEpoch)
    {
        var model = new TModel();
        TrainingResult training = ModelTraining.Train<TModel, TState, TTrace>(model, data, settings, onEpoch);
        float[] forecasts = ModelTraining.ForecastTestPart<TModel, TState>(model, data);
        return new TrainedModel<TModel, TState>(this, model, training, forecasts);
    }
}
