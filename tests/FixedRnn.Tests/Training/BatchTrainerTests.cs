using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// <see cref="BatchTrainer{TModel, TState, TTrace}"/>: the batch's gradient, the batch mean, shuffling, the
/// validation split, classification, schedules, and what an option or an exception leaves behind.
/// </summary>
public sealed class BatchTrainerTests
{
    private const int Steps = 4;

    [Fact]
    public void LastStepGradientIsTheSumOfEachSequencesBackwardOfTheBatchMean()
    {
        FitLstm model = NewLstm(seed: 1);
        const int batch = 5;
        float[] inputs = FitData.Uniform(batch, Steps, FitLstm.InputSize, seed: 2);
        float[] targets = FitData.LastStepTargets(inputs, batch, FitLstm.OutputSize);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Sgd(FitLstm.ParameterCount, learningRate: 0), Steps);

        float loss = trainer.TrainBatch(inputs, targets, Losses.MeanSquaredError);

        // By hand: every sequence from the zero state, the MSE of the last outputs over the batch
        // (gradient 2 (p − t) / B), zero gradient at the earlier steps, Backward adding into one buffer.
        var traces = new FitLstm.Trace[batch];
        var outputs = new float[batch * Steps];
        for (int b = 0; b < batch; b++)
        {
            traces[b] = new FitLstm.Trace(Steps);
            var state = default(FitLstm.State);
            model.Forward(inputs.AsSpan(b * Steps * 2, Steps * 2), ref state, outputs.AsSpan(b * Steps, Steps), traces[b]);
        }

        float[] last = Enumerable.Range(0, batch).Select(b => outputs[(b * Steps) + Steps - 1]).ToArray();
        var lastGradient = new float[batch];
        Assert.Equal(Losses.MeanSquaredError(last, targets, lastGradient), loss);
        var expected = new float[FitLstm.ParameterCount];
        for (int b = 0; b < batch; b++)
        {
            var outputGradient = new float[Steps];
            outputGradient[^1] = lastGradient[b];
            var stateGradient = default(FitLstm.State);
            model.Backward(traces[b], outputGradient, expected, Span<float>.Empty, ref stateGradient);
        }

        Assert.Equal(expected, trainer.Gradients.ToArray());
    }

    [Fact]
    public void TheBatchMeanMakesABatchOfCopiesTrainLikeOneSequence()
    {
        // Each copy's gradient carries 1/B, so a batch of two copies has the one sequence's gradient.
        FitLstm model = NewLstm(seed: 3);
        float[] one = FitData.Uniform(1, Steps, FitLstm.InputSize, seed: 4);
        float[] target = [0.3f];
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Sgd(FitLstm.ParameterCount, learningRate: 0), Steps);

        float single = trainer.TrainBatch(one, target, Losses.MeanSquaredError);
        float[] singleGradient = trainer.Gradients.ToArray();
        float pair = trainer.TrainBatch([.. one, .. one], [.. target, .. target], Losses.MeanSquaredError);

        // Equal up to the rounding of adding the two copies' contributions step by step (without the 1/B it would
        // be twice the single gradient).
        Assert.Equal(single, pair);
        float scale = singleGradient.Max(MathF.Abs);
        float[] pairGradient = trainer.Gradients.ToArray();
        for (int i = 0; i < singleGradient.Length; i++)
        {
            Assert.True(MathF.Abs(pairGradient[i] - singleGradient[i]) <= 1e-6f * scale, $"gradient {i}: {pairGradient[i]} vs {singleGradient[i]}");
        }
    }

    [Fact]
    public void EveryStepTargetsTakeTheMeanOverBatchStepsAndOutputs()
    {
        var model = new FitSequenceToSequence();
        model.Initialize(InitializationScheme.PyTorch, seed: 5);
        const int batch = 3;
        float[] inputs = FitData.Uniform(batch, Steps, FitSequenceToSequence.InputSize, seed: 6);
        float[] targets = FitData.Uniform(batch, Steps, FitSequenceToSequence.OutputSize, seed: 7);
        var trainer = new BatchTrainer<FitSequenceToSequence, FitSequenceToSequence.State, FitSequenceToSequence.Trace>(
            model, new Sgd(FitSequenceToSequence.ParameterCount, learningRate: 0), Steps, maxBatchSize: 4);

        float loss = trainer.TrainBatch(inputs, targets, Losses.MeanSquaredError);

        int inputLength = Steps * FitSequenceToSequence.InputSize;
        int outputLength = Steps * FitSequenceToSequence.OutputSize;
        var traces = new FitSequenceToSequence.Trace[batch];
        var outputs = new float[batch * outputLength];
        for (int b = 0; b < batch; b++)
        {
            traces[b] = new FitSequenceToSequence.Trace(Steps);
            var state = default(FitSequenceToSequence.State);
            model.Forward(inputs.AsSpan(b * inputLength, inputLength), ref state, outputs.AsSpan(b * outputLength, outputLength), traces[b]);
        }

        var outputGradients = new float[outputs.Length];
        Assert.Equal(Losses.MeanSquaredError(outputs, targets, outputGradients), loss);
        var expected = new float[FitSequenceToSequence.ParameterCount];
        for (int b = 0; b < batch; b++)
        {
            var stateGradient = default(FitSequenceToSequence.State);
            model.Backward(traces[b], outputGradients.AsSpan(b * outputLength, outputLength), expected, Span<float>.Empty, ref stateGradient);
        }

        Assert.Equal(expected, trainer.Gradients.ToArray());
    }

    [Fact]
    public void EpochLossIsTheBatchLossesMeanWeightedByBatchSize()
    {
        FitLstm model = NewLstm(seed: 8);
        const int count = 11;
        float[] inputs = FitData.Uniform(count, Steps, FitLstm.InputSize, seed: 9);
        float[] targets = FitData.LastStepTargets(inputs, count, FitLstm.OutputSize);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount, learningRate: 0.01f), Steps, maxBatchSize: 4);
        var batches = new List<BatchReport>();

        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions { Epochs = 2, BatchSize = 4, Shuffle = false, OnBatch = batches.Add });

        Assert.Equal([4, 4, 3, 4, 4, 3], batches.Select(b => b.Size));
        Assert.Equal([1, 2, 3, 1, 2, 3], batches.Select(b => b.Batch));
        Assert.All(batches, b => Assert.Equal(3, b.Batches));
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            double weighted = batches.Where(b => b.Epoch == epoch).Sum(b => (double)b.Loss * b.Size) / count;
            Assert.Equal((float)weighted, result.History[epoch - 1].TrainingLoss);
        }
    }

    [Fact]
    public void ShufflingVisitsEverySampleOncePerEpochInASeededOrder()
    {
        const int count = 37;
        float[] inputs = FitData.Uniform(count, Steps, FitLstm.InputSize, seed: 10);
        float[] targets = FitData.LastStepTargets(inputs, count, FitLstm.OutputSize);

        // With a zero learning rate the order cannot change the epoch's mean loss, unless a sample is missed or repeated.
        float Frozen(bool shuffle) => Train(new Sgd(FitLstm.ParameterCount, learningRate: 0), shuffle, seed: 1).History[0].TrainingLoss;
        Assert.Equal(Frozen(shuffle: false), Frozen(shuffle: true), 1e-6f);

        float[] first = Parameters(shuffle: true, seed: 7);
        Assert.Equal(first, Parameters(shuffle: true, seed: 7));
        Assert.NotEqual(first, Parameters(shuffle: true, seed: 8));
        Assert.NotEqual(first, Parameters(shuffle: false, seed: 7));

        float[] Parameters(bool shuffle, int seed)
        {
            FitLstm model = NewLstm(seed: 11);
            var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount, learningRate: 0.01f), Steps, maxBatchSize: 8);
            trainer.Fit(inputs, targets, new FitOptions { Epochs = 3, BatchSize = 8, Shuffle = shuffle, Seed = seed });
            return model.Parameters.ToArray();
        }

        TrainingResult Train(Optimizer optimizer, bool shuffle, int seed)
        {
            var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(NewLstm(seed: 11), optimizer, Steps, maxBatchSize: 8);
            return trainer.Fit(inputs, targets, new FitOptions { BatchSize = 8, Shuffle = shuffle, Seed = seed });
        }
    }

    [Theory]
    [InlineData(10, 0.25, 7)]   // ⌊7.5⌋
    [InlineData(100, 0.2, 80)]  // in double, 1 − 0.2 = 0.8 and 100 · 0.8 = 80; from 0.2f it would be 79
    [InlineData(210, 0.2, 168)]
    [InlineData(3, 0.5, 1)]
    public void ValidationSplitTakesTheLastSamplesAsKerasRoundsThem(int count, double split, int training)
    {
        float[] inputs = FitData.Uniform(count, Steps, FitLstm.InputSize, seed: 12);
        float[] targets = FitData.LastStepTargets(inputs, count, FitLstm.OutputSize);
        FitLstm model = NewLstm(seed: 13);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount), Steps, maxBatchSize: 32);
        int seen = 0;

        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions { ValidationSplit = split, Shuffle = true, OnBatch = b => seen += b.Size });

        Assert.Equal(training, seen);
        int inputLength = Steps * FitLstm.InputSize;
        float validation = trainer.Evaluate(inputs.AsSpan(training * inputLength), targets.AsSpan(training), Losses.MeanSquaredError);
        Assert.Equal(validation, result.History[0].ValidationLoss);
    }

    [Fact]
    public void SoftmaxCrossEntropyOnTheLastStepLearnsToClassifySequences()
    {
        // Label 1 when the sequence's sum is positive: information spread over every step.
        const int count = 128;
        const int steps = 8;
        float[] inputs = FitData.Uniform(count, steps, 1, seed: 14);
        var targets = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            targets[(i * 2) + (inputs.AsSpan(i * steps, steps).ToArray().Sum() > 0 ? 1 : 0)] = 1;
        }

        var model = new FitClassifier();
        model.Initialize(InitializationScheme.Keras, seed: 15);
        var trainer = new BatchTrainer<FitClassifier, FitClassifier.State, FitClassifier.Trace>(model, new Adam(FitClassifier.ParameterCount, learningRate: 0.02f), steps, maxBatchSize: 16);

        TrainingResult result = trainer.Fit(inputs, targets, new FitOptions { Epochs = 40, BatchSize = 16, Loss = Losses.SoftmaxCrossEntropy(classes: 2), Seed = 3 });

        Assert.True(result.History[^1].TrainingLoss < result.History[0].TrainingLoss / 3, $"loss {result.History[0].TrainingLoss} → {result.History[^1].TrainingLoss}");
        int correct = 0;
        var outputs = new float[steps * 2];
        for (int i = 0; i < count; i++)
        {
            var state = default(FitClassifier.State);
            model.Forward(inputs.AsSpan(i * steps, steps), ref state, outputs);
            int predicted = outputs[^1] > outputs[^2] ? 1 : 0;
            correct += targets[(i * 2) + predicted] == 1 ? 1 : 0;
        }

        Assert.True(correct >= 0.9 * count, $"{correct} of {count} classified correctly");
    }

    [Fact]
    public void EveryFitStartsItsScheduleFromTheInitialLearningRate()
    {
        FitLstm model = NewLstm(seed: 16);
        var optimizer = new Adam(FitLstm.ParameterCount, learningRate: 0.01f);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, optimizer, Steps);
        float[] inputs = FitData.Uniform(8, Steps, FitLstm.InputSize, seed: 17);
        float[] targets = FitData.LastStepTargets(inputs, 8, FitLstm.OutputSize);
        var options = new FitOptions { Epochs = 3, Schedule = LearningRateSchedules.StepDecay(stepSize: 1, gamma: 0.5f) };

        TrainingResult first = trainer.Fit(inputs, targets, options);
        optimizer.LearningRate = 0.5f; // whatever the caller leaves, the schedule starts from 0.01
        TrainingResult second = trainer.Fit(inputs, targets, options);

        Assert.Equal([0.01f, 0.005f, 0.0025f], first.History.Select(r => r.LearningRate));
        Assert.Equal([0.01f, 0.005f, 0.0025f], second.History.Select(r => r.LearningRate));
        Assert.Equal(0.01f, optimizer.InitialLearningRate);
    }

    [Fact]
    public void InvalidOptionsAreRejectedWhenSetNamingTheOption()
    {
        AssertOption("Epochs", () => new FitOptions { Epochs = 0 });
        AssertOption("BatchSize", () => new FitOptions { BatchSize = 0 });
        AssertOption("ValidationSplit", () => new FitOptions { ValidationSplit = -0.1 });
        AssertOption("ValidationSplit", () => new FitOptions { ValidationSplit = double.NaN });
        AssertOption("ValidationSplit", () => new FitOptions { ValidationSplit = 1 });
        AssertOption("MaxGradientNorm", () => new FitOptions { MaxGradientNorm = -1 });
        AssertOption("MaxGradientNorm", () => new FitOptions { MaxGradientNorm = float.NaN });
        AssertOption("Loss", () => new FitOptions { Loss = null! });
        AssertOption("Patience", () => new EarlyStopping { Patience = -1 });
        AssertOption("MinDelta", () => new EarlyStopping { MinDelta = -0.1f });
        AssertOption("MinDelta", () => new EarlyStopping { MinDelta = float.NaN });
        AssertOption("Baseline", () => new EarlyStopping { Baseline = float.NaN });
        AssertOption("StartFromEpoch", () => new EarlyStopping { StartFromEpoch = -1 });
    }

    [Fact]
    public void OptionsThatDoNotFitTheDataAreRejectedBeforeAnythingChanges()
    {
        FitLstm model = NewLstm(seed: 18);
        float[] before = model.Parameters.ToArray();
        var optimizer = new Adam(FitLstm.ParameterCount);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, optimizer, Steps, maxBatchSize: 16);
        float[] inputs = FitData.Uniform(6, Steps, FitLstm.InputSize, seed: 19);
        float[] targets = FitData.LastStepTargets(inputs, 6, FitLstm.OutputSize);

        AssertRejected("BatchSize", new FitOptions { BatchSize = 32 });                 // the trainer holds 16
        AssertRejected("ValidationSplit", new FitOptions { BatchSize = 4, ValidationSplit = 0.9 });   // ⌊0.6⌋ = 0 training sequences
        AssertRejected("ValidationSplit", new FitOptions { BatchSize = 4, ValidationSplit = 1e-17 }); // 1 − 1e-17 = 1: no validation sequence
        AssertRejected("EarlyStopping", new FitOptions { BatchSize = 4, EarlyStopping = new EarlyStopping() }); // monitors val_loss, no split
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => trainer.Fit(inputs, targets.AsSpan(1), new FitOptions { BatchSize = 4 })).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => trainer.Fit(inputs.AsSpan(1), targets, new FitOptions { BatchSize = 4 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => trainer.Fit(inputs, targets, null!)).ParamName);

        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, optimizer.StepCount);

        void AssertRejected(string option, FitOptions options)
        {
            var exception = Assert.Throws<ArgumentException>(() => trainer.Fit(inputs, targets, options));
            Assert.Equal("options", exception.ParamName);
            Assert.Contains(option, exception.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BatchCallbackThatThrowsLeavesTheLastCompletedEpochsParametersAndOptimizer()
        => AssertRollback(options => new FitOptions
        {
            Epochs = 3, BatchSize = 8, Shuffle = options.Shuffle, ValidationSplit = options.ValidationSplit,
            OnBatch = b => { if (b.Epoch == 2 && b.Batch == 3) { throw new InvalidOperationException("stop"); } },
        });

    [Fact]
    public void ScheduleThatThrowsLeavesTheLastCompletedEpochsParametersAndOptimizer()
        => AssertRollback(options => new FitOptions
        {
            Epochs = 3, BatchSize = 8, Shuffle = options.Shuffle, ValidationSplit = options.ValidationSplit,
            Schedule = (epoch, rate) => epoch == 1 ? throw new InvalidOperationException("stop") : rate,
        });

    [Fact]
    public void EpochCallbackThatThrowsKeepsThatCompletedEpoch()
        => AssertRollback(options => new FitOptions
        {
            Epochs = 3, BatchSize = 8, Shuffle = options.Shuffle, ValidationSplit = options.ValidationSplit,
            OnEpoch = e => { if (e.Epoch == 1) { throw new InvalidOperationException("stop"); } },
        });

    [Fact]
    public void LossThatThrowsInTheFirstEpochLeavesTheParametersAndOptimizerAsBefore()
    {
        FitLstm model = NewLstm(seed: 20);
        float[] before = model.Parameters.ToArray();
        var optimizer = new Adam(FitLstm.ParameterCount, learningRate: 0.01f);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, optimizer, Steps, maxBatchSize: 8);
        float[] inputs = FitData.Uniform(40, Steps, FitLstm.InputSize, seed: 21);
        float[] targets = FitData.LastStepTargets(inputs, 40, FitLstm.OutputSize);
        int calls = 0;
        LossFunction failing = (p, t, g) => ++calls == 3 ? throw new InvalidOperationException("stop") : Losses.MeanSquaredError(p, t, g);

        Assert.Throws<InvalidOperationException>(() => trainer.Fit(inputs, targets, new FitOptions { BatchSize = 8, Loss = failing }));

        Assert.Equal(before, model.Parameters.ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.Equal(0.01f, optimizer.LearningRate);
    }

    /// <summary>
    /// The failing fit must leave exactly what a fit of one epoch leaves: the same parameters, and an optimizer whose
    /// next step (which depends on Adam's moments and step count) moves them the same way.
    /// </summary>
    private static void AssertRollback(Func<FitOptions, FitOptions> failing)
    {
        float[] inputs = FitData.Uniform(50, Steps, FitLstm.InputSize, seed: 22);
        float[] targets = FitData.LastStepTargets(inputs, 50, FitLstm.OutputSize);
        var baseOptions = new FitOptions { Epochs = 1, BatchSize = 8, Shuffle = true, ValidationSplit = 0.2 };

        (FitLstm reference, Adam referenceOptimizer, BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace> referenceTrainer) = New();
        referenceTrainer.Fit(inputs, targets, baseOptions);
        float[] afterOneEpoch = reference.Parameters.ToArray();

        (FitLstm model, Adam optimizer, BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace> trainer) = New();
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(inputs, targets, failing(baseOptions)));

        Assert.Equal(afterOneEpoch, model.Parameters.ToArray());
        Assert.Equal(referenceOptimizer.StepCount, optimizer.StepCount);
        Assert.Equal(5, optimizer.StepCount);
        Assert.Equal(referenceOptimizer.LearningRate, optimizer.LearningRate);

        referenceTrainer.TrainBatch(inputs.AsSpan(0, 8 * Steps * 2), targets.AsSpan(0, 8), Losses.MeanSquaredError);
        trainer.TrainBatch(inputs.AsSpan(0, 8 * Steps * 2), targets.AsSpan(0, 8), Losses.MeanSquaredError);
        Assert.Equal(reference.Parameters.ToArray(), model.Parameters.ToArray());

        static (FitLstm, Adam, BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>) New()
        {
            FitLstm model = NewLstm(seed: 23);
            var optimizer = new Adam(FitLstm.ParameterCount, learningRate: 0.01f);
            return (model, optimizer, new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, optimizer, Steps, maxBatchSize: 8));
        }
    }

    private static void AssertOption(string option, Func<object> create)
        => Assert.Equal(option, Assert.ThrowsAny<ArgumentException>(create).ParamName);

    private static FitLstm NewLstm(int seed)
    {
        var model = new FitLstm();
        model.Initialize(InitializationScheme.PyTorch, seed);
        return model;
    }
}
