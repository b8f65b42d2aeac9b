using System;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// A whole training step (recording Forward, MSE loss and its gradient, Backward, global-norm clipping,
/// Adam) allocates nothing once warmed up, on whichever SIMD path this process runs.
/// </summary>
public sealed class TrainingAllocationTests
{
    private const int Steps = 64;
    private const int MeasuredSteps = 20;

    [Fact]
    public void LstmWithDenseTrainsWithoutAllocating()
        => AssertTrainingAllocatesNothing<TrainingLstmDense, TrainingLstmDense.State, TrainingLstmDense.Trace>(seed: 11);

    [Fact]
    public void ResetBeforeGruTrainsWithoutAllocating()
        => AssertTrainingAllocatesNothing<TrainingResetBeforeGru, TrainingResetBeforeGru.State, TrainingResetBeforeGru.Trace>(seed: 12);

    [Fact]
    public void PeepholeLstmTrainsWithoutAllocating()
        => AssertTrainingAllocatesNothing<TrainingPeepholeLstmDense, TrainingPeepholeLstmDense.State, TrainingPeepholeLstmDense.Trace>(seed: 13);

    [Fact]
    public void ProjectedLstmTrainsWithoutAllocating()
        => AssertTrainingAllocatesNothing<TrainingProjectedLstmDense, TrainingProjectedLstmDense.State, TrainingProjectedLstmDense.Trace>(seed: 14);

    [Fact]
    public void BidirectionalLstmTrainsWithoutAllocating()
        => AssertTrainingAllocatesNothing<TrainingBidirectionalLstmDense, TrainingBidirectionalLstmDense.State, TrainingBidirectionalLstmDense.Trace>(seed: 14);

    private static void AssertTrainingAllocatesNothing<TModel, TState, TTrace>(int seed)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var random = new Random(seed);
        var model = new TModel();
        RandomStateDict.Load<TModel, TState, TTrace>(model, random, 0.3f);

        // Everything the loop touches is allocated here.
        var inputs = new float[Steps * model.InputSize];
        var targets = new float[Steps * model.OutputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = MathF.Sin(0.37f * i);
        }

        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = 0.5f * MathF.Cos(0.21f * i);
        }

        var outputs = new float[targets.Length];
        var outputGradients = new float[targets.Length];
        var inputGradients = new float[inputs.Length];
        var gradients = new float[model.Parameters.Length];
        TTrace trace = model.CreateTrace(Steps);
        var optimizer = new Adam(gradients.Length, learningRate: 1e-2f);

        float firstLoss = TrainingStep<TModel, TState, TTrace>(model, trace, optimizer, inputs, targets, outputs, outputGradients, inputGradients, gradients);
        float lastLoss = firstLoss;

        // As many steps again before measuring: JIT tiering and on-stack replacement of the kernels'
        // loops can allocate on this thread while they warm up, and that is not the training step's doing.
        for (int step = 0; step < MeasuredSteps; step++)
        {
            TrainingStep<TModel, TState, TTrace>(model, trace, optimizer, inputs, targets, outputs, outputGradients, inputGradients, gradients);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < MeasuredSteps; step++)
        {
            lastLoss = TrainingStep<TModel, TState, TTrace>(model, trace, optimizer, inputs, targets, outputs, outputGradients, inputGradients, gradients);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);

        // The loop really trained: Adam moved the parameters and the loss went down.
        Assert.Equal((2 * MeasuredSteps) + 1, optimizer.StepCount);
        Assert.True(float.IsFinite(lastLoss) && lastLoss < firstLoss, $"loss {firstLoss} → {lastLoss}");
    }

    private static float TrainingStep<TModel, TState, TTrace>(
        TModel model,
        TTrace trace,
        Adam optimizer,
        float[] inputs,
        float[] targets,
        float[] outputs,
        float[] outputGradients,
        float[] inputGradients,
        float[] gradients)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var state = default(TState);
        model.Forward(inputs, ref state, outputs, trace);
        float loss = Losses.MeanSquaredError(outputs, targets, outputGradients);

        Array.Clear(gradients);
        var stateGradient = default(TState);
        model.Backward(trace, outputGradients, gradients, inputGradients, ref stateGradient);
        GradientClipping.ClipByGlobalNorm(gradients, maxNorm: 1f);
        optimizer.Step(model.Parameters, gradients);
        return loss;
    }
}
