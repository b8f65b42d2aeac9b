using System;
using System.Numerics.Tensors;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// <see cref="Adam"/> updates every element in one pass. These tests hold it to the straightforward form, one
/// whole-vector operation per term in PyTorch's order (as its foreach implementation runs), to the bit: the
/// single pass may only change how often memory is read, not what is computed.
/// </summary>
public sealed class AdamSinglePassTests
{
    [Theory]
    [InlineData(1, 0f, false)]
    [InlineData(7, 0f, false)]
    [InlineData(1003, 0f, false)]
    [InlineData(1003, 0.05f, false)]
    [InlineData(1003, 0.05f, true)]
    public void MatchesOneVectorOperationPerTerm(int length, float weightDecay, bool decoupled)
    {
        const float LearningRate = 3e-3f, Beta1 = 0.85f, Beta2 = 0.995f, Epsilon = 1e-7f;
        var random = new Random(length);
        float[] parameters = Random(random, length, 1f);
        float[] expected = (float[])parameters.Clone();
        Optimizer adam = decoupled
            ? new AdamW(length, LearningRate, Beta1, Beta2, Epsilon, weightDecay)
            : new Adam(length, LearningRate, Beta1, Beta2, Epsilon, weightDecay);
        var reference = new ReferenceAdam(length, LearningRate, Beta1, Beta2, Epsilon, weightDecay, decoupled);

        for (int step = 0; step < 6; step++)
        {
            // Gradients over many scales, with zeros, so the square root and division see every regime.
            float[] gradients = Random(random, length, MathF.Pow(10, -step));
            gradients[0] = 0;
            adam.Step(parameters, gradients);
            reference.Step(expected, gradients);

            for (int i = 0; i < length; i++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(parameters[i]),
                    $"step {step + 1}, element {i}: {parameters[i]:R}, expected {expected[i]:R}");
            }
        }
    }

    private static float[] Random(Random random, int length, float scale)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    /// <summary>torch.optim.Adam / AdamW as a sequence of whole-vector operations, each rounding once per element.</summary>
    private sealed class ReferenceAdam(int length, float learningRate, float beta1, float beta2, float epsilon, float weightDecay, bool decoupled)
    {
        private readonly float[] _m = new float[length];
        private readonly float[] _v = new float[length];
        private readonly float[] _scratch = new float[length];
        private readonly float[] _decayed = new float[length];
        private int _step;

        public void Step(float[] p, float[] gradients)
        {
            _step++;
            ReadOnlySpan<float> g = gradients;
            if (weightDecay != 0)
            {
                if (decoupled)
                {
                    TensorPrimitives.Multiply(p, (float)(1.0 - ((double)learningRate * weightDecay)), p);
                }
                else
                {
                    TensorPrimitives.Multiply(p, weightDecay, _decayed);
                    TensorPrimitives.Add(_decayed, gradients, _decayed);
                    g = _decayed;
                }
            }

            TensorPrimitives.Multiply(_m, beta1, _m);
            TensorPrimitives.Multiply(g, (float)(1.0 - beta1), _scratch);
            TensorPrimitives.Add(_scratch, _m, _m);
            TensorPrimitives.Multiply(_v, beta2, _v);
            TensorPrimitives.Multiply(g, (float)(1.0 - beta2), _scratch);
            TensorPrimitives.Multiply(_scratch, g, _scratch);
            TensorPrimitives.Add(_scratch, _v, _v);

            float stepSize = (float)(learningRate / (1.0 - Math.Pow(beta1, _step)));
            float biasCorrection2Sqrt = (float)Math.Sqrt(1.0 - Math.Pow(beta2, _step));
            TensorPrimitives.Sqrt(_v, _scratch);
            TensorPrimitives.Divide(_scratch, biasCorrection2Sqrt, _scratch);
            TensorPrimitives.Add(_scratch, epsilon, _scratch);
            TensorPrimitives.Divide(_m, _scratch, _scratch);
            TensorPrimitives.Multiply(_scratch, -stepSize, _scratch);
            TensorPrimitives.Add(_scratch, p, p);
        }
    }
}
