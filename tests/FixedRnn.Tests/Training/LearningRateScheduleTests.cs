using System;
using System.IO;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>The schedules against torch.optim.lr_scheduler (see Fixtures/make_training_references.py).</summary>
public sealed class LearningRateScheduleTests
{
    private const float BaseLearningRate = 0.1f;
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 1e-7;

    private static readonly SafeTensorsFile References =
        SafeTensorsFile.Read(Fixture.PathOf("training_references.safetensors"));

    public static TheoryData<string> Schedules => new() { "lr_step_decay", "lr_exponential", "lr_cosine", "lr_cosine_zero_minimum" };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void MatchesPyTorch(string name)
    {
        LearningRateSchedule schedule = Create(name);
        float[] expected = References.ReadSingles(name);

        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            float actual = schedule(epoch, BaseLearningRate);
            double error = Math.Abs((double)actual - expected[epoch]);
            Assert.True(
                error <= Math.Max(RelativeTolerance * Math.Abs(expected[epoch]), AbsoluteTolerance),
                $"{name} epoch {epoch}: expected {expected[epoch]:R}, got {actual:R}.");
        }
    }

    [Theory]
    [MemberData(nameof(Schedules))]
    public void EpochZeroUsesTheBaseRate(string name)
    {
        Assert.Equal(BaseLearningRate, Create(name)(0, BaseLearningRate));
        Assert.Equal(0.37f, Create(name)(0, 0.37f));
    }

    [Fact]
    public void ConstantKeepsTheBaseRate()
    {
        LearningRateSchedule schedule = LearningRateSchedules.Constant();
        foreach (int epoch in new[] { 0, 1, 7, 1_000_000, int.MaxValue })
        {
            Assert.Equal(BaseLearningRate, schedule(epoch, BaseLearningRate));
        }
    }

    [Fact]
    public void CosineAnnealingReachesTheMinimumAtMaxEpochs()
    {
        LearningRateSchedule schedule = LearningRateSchedules.CosineAnnealing(maxEpochs: 10, minimum: 0.001f);

        Assert.Equal(0.001f, schedule(10, BaseLearningRate));
        Assert.Equal(BaseLearningRate, schedule(20, BaseLearningRate));
    }

    [Fact]
    public void SchedulesRejectNegativeEpochs()
    {
        foreach (string name in new[] { "lr_step_decay", "lr_exponential", "lr_cosine" })
        {
            LearningRateSchedule schedule = Create(name);
            Assert.Throws<ArgumentOutOfRangeException>("epoch", () => schedule(-1, BaseLearningRate));
        }

        Assert.Throws<ArgumentOutOfRangeException>("epoch", () => LearningRateSchedules.Constant()(-1, BaseLearningRate));
    }

    [Fact]
    public void FactoriesValidateTheirArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>("stepSize", () => LearningRateSchedules.StepDecay(0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>("gamma", () => LearningRateSchedules.StepDecay(3, -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>("gamma", () => LearningRateSchedules.ExponentialDecay(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("gamma", () => LearningRateSchedules.ExponentialDecay(float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>("maxEpochs", () => LearningRateSchedules.CosineAnnealing(0));
        Assert.Throws<ArgumentOutOfRangeException>("minimum", () => LearningRateSchedules.CosineAnnealing(5, -0.1f));
    }

    [Fact]
    public void ScheduleDrivesAnOptimizer()
    {
        var optimizer = new Sgd(1, BaseLearningRate);
        LearningRateSchedule schedule = LearningRateSchedules.StepDecay(stepSize: 2, gamma: 0.5f);
        float[] parameters = [0f];

        for (int epoch = 0; epoch < 4; epoch++)
        {
            optimizer.LearningRate = schedule(epoch, BaseLearningRate);
            optimizer.Step(parameters, [1f]);
        }

        // Two epochs at 0.1, then two at 0.05.
        Assert.Equal(-0.3f, parameters[0], 6);
    }

    private static LearningRateSchedule Create(string name) => name switch
    {
        "lr_step_decay" => LearningRateSchedules.StepDecay(stepSize: 3, gamma: 0.7f),
        "lr_exponential" => LearningRateSchedules.ExponentialDecay(0.9f),
        "lr_cosine" => LearningRateSchedules.CosineAnnealing(maxEpochs: 8, minimum: 0.001f),
        "lr_cosine_zero_minimum" => LearningRateSchedules.CosineAnnealing(maxEpochs: 5),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
