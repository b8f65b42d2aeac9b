using System;
using System.IO;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// The optimizers against torch.optim trajectories (see Fixtures/make_training_references.py), plus their contracts:
/// validation, allocation-free steps and <see cref="Optimizer.Reset"/>.
/// </summary>
public sealed class OptimizerTests
{
    private const int ParameterCount = 37;
    private const int Steps = 5;
    private const double RelativeTolerance = 1e-5;

    private static readonly SafeTensorsFile References =
        SafeTensorsFile.Read(Fixture.PathOf("training_references.safetensors"));

    public static TheoryData<string> Configurations => new()
    {
        "sgd", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "sgd_dampening",
        "adam", "adam_weight_decay", "adam_custom", "adamw", "adamw_custom",
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void TrajectoryMatchesPyTorch(string name)
    {
        Optimizer optimizer = Create(name);
        float[] trajectory = Run(optimizer);

        float[] expected = References.ReadSingles($"{name}_trajectory");
        Assert.Equal(expected.Length, trajectory.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)trajectory[i] - expected[i]);
            Assert.True(
                error <= RelativeTolerance * Math.Abs(expected[i]),
                $"{name} step {(i / ParameterCount) + 1} parameter {i % ParameterCount}: expected {expected[i]:R}, got {trajectory[i]:R} (relative error {error / Math.Abs(expected[i]):E2}).");
        }

        Assert.Equal(Steps, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void StepAllocatesNothing(string name)
    {
        Optimizer optimizer = Create(name);
        float[] parameters = References.ReadSingles("optimizer_initial");
        float[] gradients = References.ReadSingles("optimizer_gradients").AsSpan(0, ParameterCount).ToArray();
        // The measured loop's shape once first: JIT tiering and on-stack replacement can allocate on this thread.
        for (int step = 0; step < 100; step++)
        {
            optimizer.Step(parameters, gradients);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 100; step++)
        {
            optimizer.Step(parameters, gradients);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(200, optimizer.StepCount);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ResetRestartsFromScratch(string name)
    {
        Optimizer fresh = Create(name);
        float[] expected = Run(fresh);

        Optimizer reused = Create(name);
        Run(reused);
        reused.Reset();
        Assert.Equal(0, reused.StepCount);
        float[] afterReset = Run(reused);

        Assert.Equal(expected, afterReset);
    }

    [Fact]
    public void ResetKeepsTheLearningRate()
    {
        var optimizer = new Sgd(ParameterCount, 0.1f, momentum: 0.9f) { LearningRate = 0.25f };
        Run(optimizer);

        optimizer.Reset();

        Assert.Equal(0.25f, optimizer.LearningRate);
    }

    [Fact]
    public void LearningRateChangesApplyToTheNextStep()
    {
        var optimizer = new Sgd(2, 0.5f);
        float[] parameters = [1f, 2f];

        optimizer.Step(parameters, [1f, -1f]);
        Assert.Equal([0.5f, 2.5f], parameters);

        optimizer.LearningRate = 0;
        optimizer.Step(parameters, [1f, -1f]);
        Assert.Equal([0.5f, 2.5f], parameters);
    }

    [Fact]
    public void DefaultsMatchPyTorch()
    {
        var adam = new Adam(1);
        Assert.Equal(1e-3f, adam.LearningRate);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-8f, adam.Epsilon);
        Assert.Equal(0f, adam.WeightDecay);

        var adamW = new AdamW(1);
        Assert.Equal(1e-3f, adamW.LearningRate);
        Assert.Equal(0.01f, adamW.WeightDecay);

        var sgd = new Sgd(1, 0.1f);
        Assert.Equal(0f, sgd.Momentum);
        Assert.False(sgd.Nesterov);
        Assert.Equal(0f, sgd.WeightDecay);
        Assert.Equal(0f, sgd.Dampening);
        Assert.Equal(1, sgd.ParameterCount);
    }

    [Fact]
    public void StepRejectsWrongLengthsWithoutCountingAStep()
    {
        var optimizer = new Adam(3);

        Assert.Throws<ArgumentException>("parameters", () => optimizer.Step(new float[2], new float[3]));
        Assert.Throws<ArgumentException>("parameters", () => optimizer.Step(new float[4], new float[3]));
        Assert.Throws<ArgumentException>("gradients", () => optimizer.Step(new float[3], new float[2]));
        Assert.Throws<ArgumentException>("gradients", () => optimizer.Step(new float[3], Span<float>.Empty));
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void StepRejectsGradientsSharingMemoryWithParameters()
    {
        var optimizer = new Sgd(3, 0.1f);
        var buffer = new float[4];

        Assert.Throws<ArgumentException>("gradients", () => optimizer.Step(buffer.AsSpan(0, 3), buffer.AsSpan(0, 3)));
        Assert.Throws<ArgumentException>("gradients", () => optimizer.Step(buffer.AsSpan(1, 3), buffer.AsSpan(0, 3)));
    }

    [Fact]
    public void ZeroParametersIsAllowed()
    {
        var optimizer = new AdamW(0);
        optimizer.Step(Span<float>.Empty, ReadOnlySpan<float>.Empty);
        Assert.Equal(1, optimizer.StepCount);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void LearningRateMustBeFiniteAndNonNegative(float learningRate)
    {
        var optimizer = new Sgd(1, 0.1f);
        Assert.Throws<ArgumentOutOfRangeException>("value", () => optimizer.LearningRate = learningRate);
        Assert.Equal(0.1f, optimizer.LearningRate);

        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => new Sgd(1, learningRate));
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => new Adam(1, learningRate));
        Assert.Throws<ArgumentOutOfRangeException>("learningRate", () => new AdamW(1, learningRate));
    }

    [Fact]
    public void SgdValidatesHyperparameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>("parameterCount", () => new Sgd(-1, 0.1f));
        Assert.Throws<ArgumentOutOfRangeException>("momentum", () => new Sgd(1, 0.1f, momentum: -0.5f));
        Assert.Throws<ArgumentOutOfRangeException>("momentum", () => new Sgd(1, 0.1f, momentum: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("weightDecay", () => new Sgd(1, 0.1f, weightDecay: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>("dampening", () => new Sgd(1, 0.1f, momentum: 0.9f, dampening: float.PositiveInfinity));
        Assert.Throws<ArgumentException>("nesterov", () => new Sgd(1, 0.1f, nesterov: true));
        Assert.Throws<ArgumentException>("nesterov", () => new Sgd(1, 0.1f, momentum: 0.9f, nesterov: true, dampening: 0.1f));
    }

    [Fact]
    public void AdamValidatesHyperparameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>("parameterCount", () => new Adam(-1));
        Assert.Throws<ArgumentOutOfRangeException>("beta1", () => new Adam(1, beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>("beta1", () => new AdamW(1, beta1: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>("beta2", () => new Adam(1, beta2: float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("beta2", () => new AdamW(1, beta2: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => new Adam(1, epsilon: -1e-8f));
        Assert.Throws<ArgumentOutOfRangeException>("weightDecay", () => new Adam(1, weightDecay: -0.01f));
        Assert.Throws<ArgumentOutOfRangeException>("weightDecay", () => new AdamW(1, weightDecay: float.PositiveInfinity));
    }

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(ParameterCount, 0.1f),
        "sgd_momentum" => new Sgd(ParameterCount, 0.05f, momentum: 0.9f),
        "sgd_nesterov" => new Sgd(ParameterCount, 0.05f, momentum: 0.9f, nesterov: true),
        "sgd_weight_decay" => new Sgd(ParameterCount, 0.1f, weightDecay: 0.05f),
        "sgd_dampening" => new Sgd(ParameterCount, 0.05f, momentum: 0.8f, weightDecay: 0.02f, dampening: 0.3f),
        "adam" => new Adam(ParameterCount),
        "adam_weight_decay" => new Adam(ParameterCount, 0.01f, weightDecay: 0.1f),
        "adam_custom" => new Adam(ParameterCount, 0.05f, beta1: 0.8f, beta2: 0.99f, epsilon: 1e-6f),
        "adamw" => new AdamW(ParameterCount),
        "adamw_custom" => new AdamW(ParameterCount, 0.05f, beta1: 0.8f, beta2: 0.99f, epsilon: 1e-6f, weightDecay: 0.1f),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Takes the reference's steps from its initial parameters and returns the parameters after each, <c>[Steps, N]</c>.</summary>
    private static float[] Run(Optimizer optimizer)
    {
        float[] parameters = References.ReadSingles("optimizer_initial");
        float[] gradients = References.ReadSingles("optimizer_gradients");
        var trajectory = new float[Steps * ParameterCount];
        for (int step = 0; step < Steps; step++)
        {
            optimizer.Step(parameters, gradients.AsSpan(step * ParameterCount, ParameterCount));
            parameters.CopyTo(trajectory, step * ParameterCount);
        }

        return trajectory;
    }
}
