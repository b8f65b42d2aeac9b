using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// <see cref="EarlyStopping"/> against Keras 3's <c>EarlyStopping.on_epoch_end</c>, with scripted validation losses:
/// the loss function returns the next scripted value whenever it is called without a gradient (the validation
/// part is one batch, so once per epoch) and the mean squared error otherwise, so the model trains for real and
/// each epoch's parameters differ.
/// </summary>
public sealed class EarlyStoppingTests
{
    private const int Steps = 3;
    private const int Count = 20;

    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBest()
    {
        Run run = Fit([5, 4, 4.5f, 4.2f, 3.9f, 3.8f], new EarlyStopping { Patience = 2, RestoreBestWeights = true });

        Assert.Equal(4, run.Result.History.Count);
        Assert.True(run.Result.StoppedEarly);
        Assert.Equal(2, run.Result.BestEpoch);
        Assert.Equal([true, true, false, false], run.Result.History.Select(r => r.IsBest));
        Assert.Equal(run.EpochParameters[1], run.Final);
    }

    [Fact]
    public void WithoutRestoringTheLastEpochsParametersStay()
    {
        Run run = Fit([5, 4, 4.5f, 4.2f, 3.9f], new EarlyStopping { Patience = 2 });

        Assert.Equal(4, run.Result.History.Count);
        Assert.Equal(4, run.Result.BestEpoch);
        Assert.Equal(run.EpochParameters[3], run.Final);
    }

    [Fact]
    public void RestoresTheBestAlsoWhenNoEpochStops()
    {
        // Keras 3 restores in on_train_end, whether or not training stopped early (TF2 Keras did only when it stopped).
        Run run = Fit([5, 3, 4], new EarlyStopping { Patience = 5, RestoreBestWeights = true });

        Assert.False(run.Result.StoppedEarly);
        Assert.Equal(2, run.Result.BestEpoch);
        Assert.Equal(run.EpochParameters[1], run.Final);
    }

    [Fact]
    public void AnImprovementMustBeatTheBestByMinDelta()
    {
        // 4.5 + 0.6 is not below 5: no improvement, and with patience 1 epoch 2 stops.
        Run run = Fit([5, 4.5f, 4, 3], new EarlyStopping { Patience = 1, MinDelta = 0.6f });

        Assert.Equal([true, false], run.Result.History.Select(r => r.IsBest));
        Assert.True(run.Result.StoppedEarly);
    }

    [Fact]
    public void PatienceZeroStopsAtTheFirstEpochWithoutImprovement()
    {
        Run run = Fit([1, 2, 0.5f], new EarlyStopping());

        Assert.Equal(2, run.Result.History.Count);
    }

    [Fact]
    public void AnUnbeatenBaselineKeepsThePatienceRunning()
    {
        // Improvements that stay above the baseline do not reset the wait, so it runs out one epoch sooner.
        float[] losses = [5, 4, 4.5f, 4.6f, 4.7f, 4.8f];
        Assert.Equal(4, Fit(losses, new EarlyStopping { Patience = 2 }).Result.History.Count);
        Assert.Equal(3, Fit(losses, new EarlyStopping { Patience = 2, Baseline = 3 }).Result.History.Count);
    }

    [Fact]
    public void EpochsBeforeStartFromEpochAreNotWatched()
    {
        float[] losses = [1, 2, 3, 2.5f, 2.6f, 2];
        Run run = Fit(losses, new EarlyStopping { StartFromEpoch = 2 });

        Assert.Equal(5, run.Result.History.Count);
        Assert.Equal([false, false, true, true, false], run.Result.History.Select(r => r.IsBest));
    }

    [Fact]
    public void ANaNLossNeverImprovesAndTheFirstWatchedEpochIsKeptUntilOneDoes()
    {
        // Keras: with restore_best_weights, the first watched epoch's weights are the best until one improves,
        // and training never stops at epoch 0.
        Run allNaN = Fit([float.NaN, float.NaN], new EarlyStopping { Patience = 5, RestoreBestWeights = true });
        Assert.Equal(1, allNaN.Result.BestEpoch);
        Assert.Equal(allNaN.EpochParameters[0], allNaN.Final);
        Assert.Equal([false, false], allNaN.Result.History.Select(r => r.IsBest));

        Run recovering = Fit([float.NaN, 4, float.NaN, float.NaN], new EarlyStopping { Patience = 1, RestoreBestWeights = true });
        Assert.Equal(3, recovering.Result.History.Count);
        Assert.Equal(2, recovering.Result.BestEpoch);
        Assert.Equal(recovering.EpochParameters[1], recovering.Final);
    }

    [Fact]
    public void TheTrainingLossCanBeWatchedWithoutAValidationSplit()
    {
        var model = new FitLstm();
        model.Initialize(InitializationScheme.PyTorch, seed: 1);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount, learningRate: 0.5f), Steps);
        float[] inputs = FitData.Uniform(Count, Steps, FitLstm.InputSize, seed: 2);
        float[] targets = FitData.LastStepTargets(inputs, Count, FitLstm.OutputSize);

        // A learning rate this large makes the training loss wander, so patience 1 stops it.
        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions
        {
            Epochs = 50, BatchSize = 4, EarlyStopping = new EarlyStopping { Monitor = EarlyStoppingMonitor.TrainingLoss, Patience = 1, RestoreBestWeights = true },
        });

        Assert.True(result.StoppedEarly);
        Assert.All(result.History, r => Assert.True(float.IsNaN(r.ValidationLoss)));
        Assert.Equal(result.History.Where(r => r.IsBest).Min(r => r.TrainingLoss), result.History[result.BestEpoch - 1].TrainingLoss);
    }

    private static Run Fit(float[] validationLosses, EarlyStopping stopping)
    {
        var model = new FitLstm();
        model.Initialize(InitializationScheme.PyTorch, seed: 3);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount, learningRate: 0.01f), Steps);
        float[] inputs = FitData.Uniform(Count, Steps, FitLstm.InputSize, seed: 4);
        float[] targets = FitData.LastStepTargets(inputs, Count, FitLstm.OutputSize);
        int next = 0;
        LossFunction scripted = (p, t, g) => g.IsEmpty ? validationLosses[next++] : Losses.MeanSquaredError(p, t, g);
        var epochParameters = new List<float[]>();

        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions
        {
            Epochs = validationLosses.Length,
            BatchSize = 8,
            ValidationSplit = 0.25,
            Loss = scripted,
            EarlyStopping = stopping,
            OnEpoch = _ => epochParameters.Add(model.Parameters.ToArray()),
        });

        Assert.Equal(result.History.Count, next);
        Assert.Equal(validationLosses.Take(next), result.History.Select(r => r.ValidationLoss));
        return new Run(result, epochParameters, model.Parameters.ToArray());
    }

    private sealed record Run(TrainingResult Result, List<float[]> EpochParameters, float[] Final);
}
