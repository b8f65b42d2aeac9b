using System;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>Cross-entropy against probabilities equals the label form (checked against PyTorch) for one-hot targets.</summary>
public sealed class SoftmaxCrossEntropyTargetsTests
{
    [Fact]
    public void OneHotTargetsMatchTheLabelForm()
    {
        const int Classes = 5;
        var random = new Random(3);
        float[] logits = new float[7 * Classes];
        int[] labels = new int[7];
        float[] oneHot = new float[logits.Length];
        for (int row = 0; row < labels.Length; row++)
        {
            labels[row] = random.Next(Classes);
            oneHot[(row * Classes) + labels[row]] = 1;
            for (int c = 0; c < Classes; c++)
            {
                logits[(row * Classes) + c] = (float)((random.NextDouble() * 20) - 10);
            }
        }

        var labelGradient = new float[logits.Length];
        var targetGradient = new float[logits.Length];
        float labelLoss = Losses.SoftmaxCrossEntropy(logits, Classes, labels, labelGradient);
        float targetLoss = Losses.SoftmaxCrossEntropy(Classes)(logits, oneHot, targetGradient);

        Assert.Equal(labelLoss, targetLoss, 5);
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.Equal(labelGradient[i], targetGradient[i], 6);
        }
    }

    [Fact]
    public void SoftTargetsGiveSoftmaxMinusTargets()
    {
        float[] logits = { 1f, 2f, 3f };
        float[] targets = { 0.2f, 0.3f, 0.5f };
        var gradient = new float[3];

        float loss = Losses.SoftmaxCrossEntropyWithTargets(logits, 3, targets, gradient);

        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] softmax = { Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z };
        Assert.Equal(-((0.2 * Math.Log(softmax[0])) + (0.3 * Math.Log(softmax[1])) + (0.5 * Math.Log(softmax[2]))), loss, 5);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(softmax[c] - targets[c], gradient[c], 6);
        }
    }
}
