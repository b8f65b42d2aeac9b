using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>The trainer's windows, carried state, reports and early stopping.</summary>
public sealed class SequenceTrainerTests
{
    [Fact]
    public void ConsecutiveWindowsCarryTheStateAndCutTheGradient()
    {
        // With a zero learning rate the parameters stay put, so two windows of 10 steps must see exactly
        // what one forward pass over 20 steps sees.
        var model = new NextValueGru();
        model.Initialize(InitializationScheme.PyTorch, seed: 3);
        float[] inputs = Series(20, seed: 1);
        float[] targets = Series(20, seed: 2);
        var trainer = new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, new Sgd(model.Parameters.Length, learningRate: 0f), maxWindowLength: 10);

        var state = default(NextValueGru.State);
        float first = trainer.TrainWindow(inputs.AsSpan(0, 10), targets.AsSpan(0, 10), ref state, Losses.MeanSquaredError);
        float second = trainer.TrainWindow(inputs.AsSpan(10), targets.AsSpan(10), ref state, Losses.MeanSquaredError);

        var outputs = new float[20];
        var reference = default(NextValueGru.State);
        model.Forward(inputs, ref reference, outputs);
        Assert.Equal(reference.Layer0Hidden.ToArray(), state.Layer0Hidden.ToArray());
        Assert.Equal(Losses.MeanSquaredError(outputs.AsSpan(0, 10), targets.AsSpan(0, 10), Span<float>.Empty), first, 6);
        Assert.Equal(Losses.MeanSquaredError(outputs.AsSpan(10), targets.AsSpan(10), Span<float>.Empty), second, 6);

        // The second window's gradient is cut at its start: it equals Backward over that window alone.
        var trace = new NextValueGru.Trace(10);
        var windowState = default(NextValueGru.State);
        model.Forward(inputs.AsSpan(0, 10), ref windowState, new float[10]);
        var windowOutputs = new float[10];
        model.Forward(inputs.AsSpan(10), ref windowState, windowOutputs, trace);
        var outputGradients = new float[10];
        Losses.MeanSquaredError(windowOutputs, targets.AsSpan(10), outputGradients);
        var expected = new float[model.Parameters.Length];
        var stateGradient = default(NextValueGru.State);
        model.Backward(trace, outputGradients, expected, Span<float>.Empty, ref stateGradient);
        Assert.Equal(expected, trainer.Gradients.ToArray());
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestParameters()
    {
        var model = new NextValueRnn();
        model.Initialize(InitializationScheme.Keras, seed: 4);
        float[] series = Series(301, seed: 5);
        // A large learning rate makes the validation loss wander, so patience has something to do.
        var trainer = new SequenceTrainer<NextValueRnn, NextValueRnn.State, NextValueRnn.Trace>(model, new Adam(model.Parameters.Length, learningRate: 0.2f), maxWindowLength: 30);
        var reports = new List<EpochReport>();

        TrainingResult result = trainer.Fit(series.AsSpan(0, 300), series.AsSpan(1), new TrainerOptions
        {
            Epochs = 40,
            WindowLength = 30,
            ValidationFraction = 0.2f,
            Patience = 3,
            OnEpoch = reports.Add,
        });

        Assert.Equal(result.History, reports);
        Assert.True(result.StoppedEarly, "The validation loss never stopped improving; the test needs a noisier setting.");
        Assert.Equal(result.BestEpoch + 3, reports.Count);
        float best = reports[result.BestEpoch - 1].ValidationLoss;
        Assert.Equal(reports.Where(report => report.IsBest).Select(report => report.ValidationLoss).Min(), best);

        // The model holds the best epoch's parameters: its validation loss is that epoch's.
        var outputs = new float[300];
        var state = default(NextValueRnn.State);
        model.Forward(series.AsSpan(0, 300), ref state, outputs);
        Assert.Equal(best, Losses.MeanSquaredError(outputs.AsSpan(240), series.AsSpan(241, 60), Span<float>.Empty));
    }

    [Fact]
    public void ScheduleSetsEachEpochsLearningRate()
    {
        var model = new NextValueLstm();
        model.Initialize(InitializationScheme.PyTorch, seed: 6);
        float[] series = Series(65, seed: 7);
        var trainer = new SequenceTrainer<NextValueLstm, NextValueLstm.State, NextValueLstm.Trace>(model, new Adam(model.Parameters.Length, learningRate: 0.01f), maxWindowLength: 16);

        TrainingResult result = trainer.Fit(series.AsSpan(0, 64), series.AsSpan(1), new TrainerOptions
        {
            Epochs = 4,
            WindowLength = 16,
            Schedule = LearningRateSchedules.StepDecay(stepSize: 2, gamma: 0.5f),
        });

        Assert.Equal(new[] { 0.01f, 0.01f, 0.005f, 0.005f }, result.History.Select(report => report.LearningRate));
        Assert.All(result.History, report => Assert.True(float.IsNaN(report.ValidationLoss)));
        Assert.Equal(4, result.BestEpoch);
    }

    [Fact]
    public void OverlappingWindowsTrain()
    {
        var model = new NextValueGru();
        model.Initialize(InitializationScheme.PyTorch, seed: 8);
        float[] series = Series(201, seed: 9);
        var trainer = new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, new Adam(model.Parameters.Length, learningRate: 0.01f), maxWindowLength: 32);

        TrainingResult result = trainer.Fit(series.AsSpan(0, 200), series.AsSpan(1), new TrainerOptions { Epochs = 15, WindowLength = 32, Stride = 8 });

        Assert.True(result.History[^1].TrainingLoss < result.History[0].TrainingLoss / 2, $"Loss went from {result.History[0].TrainingLoss} to {result.History[^1].TrainingLoss}.");
    }

    [Fact]
    public void WindowLongerThanTheTraceIsRejected()
    {
        var model = new NextValueGru();
        var trainer = new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, new Adam(model.Parameters.Length), maxWindowLength: 8);
        float[] series = Series(20, seed: 1);

        var exception = Assert.Throws<ArgumentException>(() => trainer.Fit(series, series, new TrainerOptions { WindowLength = 9 }));
        Assert.Equal("options", exception.ParamName);
    }

    [Fact]
    public void InvalidOptionsAreRejectedWhenSetNamingTheOption()
    {
        AssertOption("Epochs", () => new TrainerOptions { Epochs = 0 });
        AssertOption("WindowLength", () => new TrainerOptions { WindowLength = -1 });
        AssertOption("Stride", () => new TrainerOptions { Stride = -2 });
        AssertOption("MaxGradientNorm", () => new TrainerOptions { MaxGradientNorm = -1 });
        AssertOption("MaxGradientNorm", () => new TrainerOptions { MaxGradientNorm = float.NaN });
        AssertOption("ValidationFraction", () => new TrainerOptions { ValidationFraction = -0.1f });
        AssertOption("ValidationFraction", () => new TrainerOptions { ValidationFraction = float.NaN });
        AssertOption("ValidationFraction", () => new TrainerOptions { ValidationFraction = 1 });
        AssertOption("Patience", () => new TrainerOptions { Patience = -1 });
        AssertOption("Loss", () => new TrainerOptions { Loss = null! });

        static void AssertOption(string option, Func<TrainerOptions> create)
            => Assert.Equal(option, Assert.ThrowsAny<ArgumentException>(create).ParamName);
    }

    [Fact]
    public void OptionsThatDoNotFitTheSeriesAreRejectedBeforeAnyParameterChanges()
    {
        var model = new NextValueGru();
        model.Initialize(InitializationScheme.PyTorch, seed: 10);
        float[] before = model.Parameters.ToArray();
        var optimizer = new Adam(model.Parameters.Length);
        var trainer = new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, optimizer, maxWindowLength: 8);
        float[] series = Series(40, seed: 11);

        AssertRejected("WindowLength", new TrainerOptions { WindowLength = 9 });
        AssertRejected("WindowLength", new TrainerOptions());                                  // 0: the whole series, 40 steps
        AssertRejected("Stride", new TrainerOptions { WindowLength = 8, Stride = 9 });
        AssertRejected("ValidationFraction", new TrainerOptions { WindowLength = 8, ValidationFraction = 0.01f }); // round(0.4) = 0 steps
        AssertRejected("ValidationFraction", new TrainerOptions { WindowLength = 8, ValidationFraction = 0.99f }); // round(39.6) = all 40

        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, optimizer.StepCount);

        void AssertRejected(string option, TrainerOptions options)
        {
            var exception = Assert.Throws<ArgumentException>(() => trainer.Fit(series, series, options));
            Assert.Equal("options", exception.ParamName);
            Assert.Contains(option, exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryFitStartsItsScheduleFromTheInitialLearningRate()
    {
        var model = new NextValueLstm();
        model.Initialize(InitializationScheme.PyTorch, seed: 12);
        var optimizer = new Adam(model.Parameters.Length, learningRate: 0.01f);
        var trainer = new SequenceTrainer<NextValueLstm, NextValueLstm.State, NextValueLstm.Trace>(model, optimizer, maxWindowLength: 16);
        float[] series = Series(33, seed: 13);
        var options = new TrainerOptions { Epochs = 3, WindowLength = 16, Schedule = LearningRateSchedules.StepDecay(stepSize: 1, gamma: 0.5f) };

        TrainingResult first = trainer.Fit(series.AsSpan(0, 32), series.AsSpan(1), options);
        TrainingResult second = trainer.Fit(series.AsSpan(0, 32), series.AsSpan(1), options);

        Assert.Equal(new[] { 0.01f, 0.005f, 0.0025f }, first.History.Select(report => report.LearningRate));
        Assert.Equal(new[] { 0.01f, 0.005f, 0.0025f }, second.History.Select(report => report.LearningRate));
    }

    [Fact]
    public void ScheduleThatThrowsLeavesTheLastCompletedEpochsParametersAndOptimizer()
        => AssertRollback(new TrainerOptions
        {
            Epochs = 3, WindowLength = 10, ValidationFraction = 0.25f,
            Schedule = (epoch, rate) => epoch == 1 ? throw new InvalidOperationException("stop") : rate,
        });

    [Fact]
    public void EpochCallbackThatThrowsKeepsThatCompletedEpoch()
        => AssertRollback(new TrainerOptions
        {
            Epochs = 3, WindowLength = 10, ValidationFraction = 0.25f,
            OnEpoch = report => { if (report.Epoch == 1) { throw new InvalidOperationException("stop"); } },
        });

    [Fact]
    public void LossThatThrowsMidEpochRollsBackToTheLastCompletedEpoch()
    {
        int calls = 0;
        LossFunction failing = (p, t, g) => ++calls == 6 ? throw new InvalidOperationException("stop") : Losses.MeanSquaredError(p, t, g);

        // 3 windows and one validation call per epoch: call 6 is the second window of epoch 2.
        AssertRollback(new TrainerOptions { Epochs = 3, WindowLength = 10, ValidationFraction = 0.25f, Loss = failing });
    }

    /// <summary>The failing fit leaves what one epoch leaves: its parameters, and an optimizer whose next step matches.</summary>
    private static void AssertRollback(TrainerOptions failing)
    {
        float[] series = Series(41, seed: 14);
        (NextValueGru reference, Adam referenceOptimizer, SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace> referenceTrainer) = New();
        referenceTrainer.Fit(series.AsSpan(0, 40), series.AsSpan(1), new TrainerOptions { Epochs = 1, WindowLength = 10, ValidationFraction = 0.25f });

        (NextValueGru model, Adam optimizer, SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace> trainer) = New();
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(series.AsSpan(0, 40), series.AsSpan(1), failing));

        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());
        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(referenceOptimizer.StepCount, optimizer.StepCount);
        var state = default(NextValueGru.State);
        var referenceState = default(NextValueGru.State);
        referenceTrainer.TrainWindow(series.AsSpan(0, 10), series.AsSpan(1, 10), ref referenceState, Losses.MeanSquaredError);
        trainer.TrainWindow(series.AsSpan(0, 10), series.AsSpan(1, 10), ref state, Losses.MeanSquaredError);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());

        static (NextValueGru, Adam, SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>) New()
        {
            var model = new NextValueGru();
            model.Initialize(InitializationScheme.PyTorch, seed: 15);
            var optimizer = new Adam(model.Parameters.Length, learningRate: 0.01f);
            return (model, optimizer, new SequenceTrainer<NextValueGru, NextValueGru.State, NextValueGru.Trace>(model, optimizer, maxWindowLength: 10));
        }
    }

    private static float[] Series(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(t => (float)(Math.Sin(t * 0.3) + (0.1 * (random.NextDouble() - 0.5)))).ToArray();
    }
}
