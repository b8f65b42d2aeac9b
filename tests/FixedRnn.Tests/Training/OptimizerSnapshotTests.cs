using System;
using System.Linq;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>An optimizer put back from a snapshot continues exactly as it would have from that point.</summary>
public sealed class OptimizerSnapshotTests
{
    private const int Count = 37;

    public static TheoryData<string> Optimizers => ["adam", "adamw", "sgd-momentum", "sgd"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void RestoringReplaysTheSameSteps(string kind)
    {
        Optimizer optimizer = Create(kind);
        float[] parameters = Values(seed: 1);
        for (int step = 0; step < 3; step++)
        {
            optimizer.Step(parameters, Values(seed: 10 + step));
        }

        OptimizerSnapshot snapshot = optimizer.CreateSnapshot();
        float[] saved = parameters.ToArray();
        float rate = optimizer.LearningRate;
        optimizer.Step(parameters, Values(seed: 20));
        optimizer.LearningRate = rate / 2;
        optimizer.Step(parameters, Values(seed: 21));
        float[] expected = parameters.ToArray();

        optimizer.Restore(snapshot);
        saved.CopyTo(parameters, 0);
        Assert.Equal(3, optimizer.StepCount);
        Assert.Equal(rate, optimizer.LearningRate);
        optimizer.Step(parameters, Values(seed: 20));
        optimizer.LearningRate = rate / 2;
        optimizer.Step(parameters, Values(seed: 21));

        Assert.Equal(expected, parameters);
        Assert.Equal(3, snapshot.StepCount);
        Assert.Equal(rate, snapshot.LearningRate);
    }

    [Fact]
    public void SaveRefreshesASnapshotAndItBelongsToItsOptimizer()
    {
        var optimizer = new Adam(Count);
        OptimizerSnapshot snapshot = optimizer.CreateSnapshot();
        optimizer.Step(Values(seed: 2), Values(seed: 3));
        optimizer.Save(snapshot);
        Assert.Equal(1, snapshot.StepCount);

        var other = new Adam(Count);
        Assert.Equal("snapshot", Assert.Throws<ArgumentException>(() => other.Restore(snapshot)).ParamName);
        Assert.Equal("snapshot", Assert.Throws<ArgumentException>(() => other.Save(snapshot)).ParamName);
        Assert.Equal("snapshot", Assert.Throws<ArgumentNullException>(() => other.Restore(null!)).ParamName);
    }

    [Fact]
    public void InitialLearningRateIsTheConstructorsWhateverIsSetLater()
    {
        var optimizer = new Sgd(Count, learningRate: 0.1f);
        optimizer.LearningRate = 0.3f;
        optimizer.Reset();
        Assert.Equal(0.1f, optimizer.InitialLearningRate);
        Assert.Equal(0.3f, optimizer.LearningRate);
    }

    private static Optimizer Create(string kind) => kind switch
    {
        "adam" => new Adam(Count, learningRate: 0.01f, weightDecay: 0.01f),
        "adamw" => new AdamW(Count, learningRate: 0.01f),
        "sgd-momentum" => new Sgd(Count, learningRate: 0.01f, momentum: 0.9f, nesterov: true),
        _ => new Sgd(Count, learningRate: 0.01f),
    };

    private static float[] Values(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Count).Select(_ => (float)((2 * random.NextDouble()) - 1)).ToArray();
    }
}
