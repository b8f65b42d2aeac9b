using System;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// <see cref="BatchTrainer{TModel, TState, TTrace}"/> allocates nothing after construction: not per batch, not per
/// epoch (shuffling, validation, early stopping, clipping and a schedule included), not in
/// <see cref="BatchTrainer{TModel, TState, TTrace}.TrainBatch"/> or <see cref="BatchTrainer{TModel, TState, TTrace}.Evaluate"/>.
/// A <c>Fit</c> allocates only its returned history.
/// </summary>
public sealed class FitAllocationTests
{
    private const int Steps = 10;
    private const int Count = 70;

    [Fact]
    public void EpochsAndBatchesAllocateNothing()
    {
        var model = new FitLstm();
        model.Initialize(InitializationScheme.Keras, seed: 1);
        float[] inputs = FitData.Uniform(Count, Steps, FitLstm.InputSize, seed: 2);
        float[] targets = FitData.LastStepTargets(inputs, Count, FitLstm.OutputSize);
        var trainer = new BatchTrainer<FitLstm, FitLstm.State, FitLstm.Trace>(model, new Adam(FitLstm.ParameterCount, learningRate: 1e-2f), Steps, maxBatchSize: 16);

        // Allocated bytes at the first batch's callback and at the last epoch's: what lies between is training.
        long[] marks = new long[2];
        int epochs = 0;
        var options = new FitOptions
        {
            Epochs = 6,
            BatchSize = 16,
            Shuffle = true,
            ValidationSplit = 0.2,
            MaxGradientNorm = 1f,
            Schedule = LearningRateSchedules.CosineAnnealing(maxEpochs: 6),
            EarlyStopping = new EarlyStopping { Patience = 100, RestoreBestWeights = true },
            OnBatch = report =>
            {
                if (report.Epoch == 1 && report.Batch == 1)
                {
                    marks[0] = GC.GetAllocatedBytesForCurrentThread();
                }
            },
            OnEpoch = report =>
            {
                epochs = report.Epoch;
                marks[1] = GC.GetAllocatedBytesForCurrentThread();
            },
        };

        // Twice before measuring: JIT tiering and on-stack replacement can allocate on this thread while the
        // loops warm up, and that is not the trainer's doing.
        trainer.Fit(inputs, targets, options);
        trainer.Fit(inputs, targets, options);
        TrainingResult result = trainer.Fit(inputs, targets, options);

        Assert.Equal(6, epochs);
        Assert.Equal(0, marks[1] - marks[0]);
        Assert.True(result.History[^1].TrainingLoss < result.History[0].TrainingLoss, "the fit did not train");
    }

    [Fact]
    public void TrainBatchAndEvaluateAllocateNothing()
    {
        var model = new FitSequenceToSequence();
        model.Initialize(InitializationScheme.PyTorch, seed: 3);
        const int batch = 8;
        float[] inputs = FitData.Uniform(batch, Steps, FitSequenceToSequence.InputSize, seed: 4);
        float[] everyStep = FitData.Uniform(batch, Steps, FitSequenceToSequence.OutputSize, seed: 5);
        float[] lastStep = FitData.Uniform(batch, 1, FitSequenceToSequence.OutputSize, seed: 6);
        var trainer = new BatchTrainer<FitSequenceToSequence, FitSequenceToSequence.State, FitSequenceToSequence.Trace>(
            model, new Adam(FitSequenceToSequence.ParameterCount, learningRate: 1e-2f), Steps, maxBatchSize: batch);
        LossFunction loss = Losses.MeanSquaredError;

        float first = Work();
        for (int i = 0; i < 40; i++)
        {
            Work();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        float last = 0;
        for (int i = 0; i < 20; i++)
        {
            last = Work();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(last < first, $"loss {first} → {last}");

        float Work()
        {
            float value = trainer.TrainBatch(inputs, everyStep, loss, maxGradientNorm: 1f);
            trainer.TrainBatch(inputs, lastStep, loss);
            trainer.Evaluate(inputs, lastStep, loss, batchSize: 3);
            return value;
        }
    }
}
