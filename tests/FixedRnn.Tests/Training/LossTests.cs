using System;
using System.IO;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>The losses against PyTorch's values and input gradients (see Fixtures/make_training_references.py).</summary>
public sealed class LossTests
{
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 1e-7;

    private static readonly SafeTensorsFile References =
        SafeTensorsFile.Read(Fixture.PathOf("training_references.safetensors"));

    public static TheoryData<string> RegressionLosses => new() { "mse", "mae", "huber_delta_1", "huber_delta_0_5" };

    public static TheoryData<string> CrossEntropyCases => new() { "cross_entropy", "cross_entropy_wide" };

    [Theory]
    [MemberData(nameof(RegressionLosses))]
    public void RegressionLossAndGradientMatchPyTorch(string name)
    {
        float[] predictions = References.ReadSingles("regression_predictions");
        float[] targets = References.ReadSingles("regression_targets");
        var gradient = new float[predictions.Length];

        float loss = RegressionLoss(name)(predictions, targets, gradient);

        ParityAssert.Close(References.ReadSingles($"{name}_loss"), [loss], RelativeTolerance, AbsoluteTolerance, $"{name} loss");
        ParityAssert.Close(References.ReadSingles($"{name}_gradient"), gradient, RelativeTolerance, AbsoluteTolerance, $"{name} gradient");
    }

    [Theory]
    [MemberData(nameof(RegressionLosses))]
    public void RegressionLossWithoutGradientIsTheSame(string name)
    {
        float[] predictions = References.ReadSingles("regression_predictions");
        float[] targets = References.ReadSingles("regression_targets");
        LossFunction function = RegressionLoss(name);

        float withGradient = function(predictions, targets, new float[predictions.Length]);
        float withoutGradient = function(predictions, targets, Span<float>.Empty);

        Assert.Equal(withGradient, withoutGradient);
    }

    [Fact]
    public void MeanAbsoluteErrorSubgradientIsZeroAtTies()
    {
        float[] predictions = References.ReadSingles("regression_predictions");
        float[] targets = References.ReadSingles("regression_targets");
        Assert.Equal(predictions[0], targets[0]);
        var gradient = new float[predictions.Length];
        gradient.AsSpan().Fill(float.NaN);

        Losses.MeanAbsoluteError(predictions, targets, gradient);

        Assert.Equal(0f, gradient[0]);
        Assert.Equal(0f, gradient[1]);
        Assert.Equal(1f / predictions.Length, gradient[2] * MathF.Sign(predictions[2] - targets[2]));
    }

    [Fact]
    public void HuberDefaultsToDeltaOne()
    {
        float[] predictions = References.ReadSingles("regression_predictions");
        float[] targets = References.ReadSingles("regression_targets");
        var implicitDelta = new float[predictions.Length];
        var explicitDelta = new float[predictions.Length];

        float implicitLoss = Losses.Huber(predictions, targets, implicitDelta);
        float explicitLoss = Losses.Huber(predictions, targets, explicitDelta, delta: 1f);

        Assert.Equal(explicitLoss, implicitLoss);
        Assert.Equal(explicitDelta, implicitDelta);
    }

    [Fact]
    public void MeanSquaredErrorOfLargeInputKeepsDoubleAccuracy()
    {
        // A float accumulator drifts by far more than 1e-6 over a million equal terms.
        var predictions = new float[1_000_000];
        var targets = new float[predictions.Length];
        predictions.AsSpan().Fill(0.1f);

        float loss = Losses.MeanSquaredError(predictions, targets, Span<float>.Empty);

        ParityAssert.Close([0.1f * 0.1f], [loss], RelativeTolerance, AbsoluteTolerance, "mean of a million squares");
    }

    [Theory]
    [MemberData(nameof(CrossEntropyCases))]
    public void SoftmaxCrossEntropyMatchesPyTorch(string name)
    {
        float[] logits = References.ReadSingles($"{name}_logits");
        int[] labels = Labels($"{name}_labels");
        int classes = logits.Length / labels.Length;
        var gradient = new float[logits.Length];

        float loss = Losses.SoftmaxCrossEntropy(logits, classes, labels, gradient);
        float lossWithoutGradient = Losses.SoftmaxCrossEntropy(logits, classes, labels, Span<float>.Empty);

        ParityAssert.Close(References.ReadSingles($"{name}_loss"), [loss], RelativeTolerance, AbsoluteTolerance, $"{name} loss");
        ParityAssert.Close(References.ReadSingles($"{name}_loss"), [lossWithoutGradient], RelativeTolerance, AbsoluteTolerance, $"{name} loss without gradient");
        ParityAssert.Close(References.ReadSingles($"{name}_gradient"), gradient, RelativeTolerance, AbsoluteTolerance, $"{name} gradient");
    }

    [Fact]
    public void SoftmaxCrossEntropyIsStableForExtremeLogits()
    {
        float[] logits = [3e38f, 0f, -3e38f, 1e4f, 1e4f, 1e4f];
        var gradient = new float[logits.Length];

        float loss = Losses.SoftmaxCrossEntropy(logits, 3, [0, 2], gradient);

        // Row 0 is certain and correct (loss 0); row 1 is uniform (loss ln 3). Both rows weigh 1/2.
        Assert.Equal(Math.Log(3) / 2, loss, 6);
        Assert.Equal([0f, 0f, 0f, 1f / 6, 1f / 6, -1f / 3], gradient, (a, b) => Math.Abs(a - b) <= 1e-7);
    }

    [Fact]
    public void RegressionLossesRejectMismatchedSpans()
    {
        foreach (LossFunction function in new LossFunction[] { Losses.MeanSquaredError, Losses.MeanAbsoluteError, Losses.Huber })
        {
            Assert.Throws<ArgumentException>("targets", () => function(new float[3], new float[2], Span<float>.Empty));
            Assert.Throws<ArgumentException>("gradient", () => function(new float[3], new float[3], new float[2]));
            Assert.Throws<ArgumentException>("gradient", () => function(new float[3], new float[3], new float[4]));
            Assert.Throws<ArgumentException>("predictions", () => function([], [], Span<float>.Empty));
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void HuberRejectsNonPositiveDelta(float delta)
    {
        Assert.Throws<ArgumentOutOfRangeException>("delta", () => Losses.Huber(new float[2], new float[2], Span<float>.Empty, delta));
    }

    [Fact]
    public void SoftmaxCrossEntropyValidatesShapes()
    {
        Assert.Throws<ArgumentOutOfRangeException>("classes", () => Losses.SoftmaxCrossEntropy(new float[4], 0, [0], Span<float>.Empty));
        Assert.Throws<ArgumentException>("logits", () => Losses.SoftmaxCrossEntropy(new float[5], 2, [0, 1], Span<float>.Empty));
        Assert.Throws<ArgumentException>("labels", () => Losses.SoftmaxCrossEntropy([], 2, [], Span<float>.Empty));
        Assert.Throws<ArgumentException>("gradient", () => Losses.SoftmaxCrossEntropy(new float[4], 2, [0, 1], new float[3]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MinValue)]
    public void SoftmaxCrossEntropyRejectsLabelsOutOfRangeBeforeWriting(int badLabel)
    {
        var gradient = new float[6];
        gradient.AsSpan().Fill(42f);

        Assert.Throws<ArgumentOutOfRangeException>("labels", () => Losses.SoftmaxCrossEntropy(new float[6], 3, [0, badLabel], gradient));
        Assert.All(gradient, value => Assert.Equal(42f, value));
    }

    [Fact]
    public void LossesAllocateNothing()
    {
        float[] predictions = References.ReadSingles("regression_predictions");
        float[] targets = References.ReadSingles("regression_targets");
        float[] logits = References.ReadSingles("cross_entropy_wide_logits");
        int[] labels = Labels("cross_entropy_wide_labels");
        int classes = logits.Length / labels.Length;
        var gradient = new float[logits.Length];
        // The measured loop's shape once first: JIT tiering and on-stack replacement can allocate on this thread.
        for (int i = 0; i < 100; i++)
        {
            RunAll();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RunAll();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void RunAll()
        {
            Span<float> regressionGradient = gradient.AsSpan(0, predictions.Length);
            Losses.MeanSquaredError(predictions, targets, regressionGradient);
            Losses.MeanAbsoluteError(predictions, targets, regressionGradient);
            Losses.Huber(predictions, targets, regressionGradient, 0.5f);
            Losses.SoftmaxCrossEntropy(logits, classes, labels, gradient);
            Losses.SoftmaxCrossEntropy(logits, classes, labels, Span<float>.Empty);
        }
    }

    private static LossFunction RegressionLoss(string name) => name switch
    {
        "mse" => Losses.MeanSquaredError,
        "mae" => Losses.MeanAbsoluteError,
        "huber_delta_1" => Losses.Huber,
        "huber_delta_0_5" => static (predictions, targets, gradient) => Losses.Huber(predictions, targets, gradient, 0.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static int[] Labels(string name) => Array.ConvertAll(References.ReadSingles(name), label => checked((int)label));
}
