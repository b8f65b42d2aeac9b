using System;
using System.Linq;

namespace FixedRnn.Tests.Training;

// Small models for the BatchTrainer tests: fast, and each layer more than one 8-lane block or a partial one.

[RecurrentModel(inputSize: 2)]
[Lstm(6)]
[Dense(1)]
public partial class FitLstm;

[RecurrentModel(inputSize: 2)]
[Rnn(5)]
[Dense(3)]
public partial class FitSequenceToSequence;

[RecurrentModel(inputSize: 1)]
[Gru(12)]
[Dense(2)]
public partial class FitClassifier;

/// <summary>Seeded data for the trainer tests.</summary>
internal static class FitData
{
    /// <summary><paramref name="count"/> sequences of <paramref name="steps"/> steps of <paramref name="features"/> values in [−1, 1).</summary>
    public static float[] Uniform(int count, int steps, int features, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * steps * features).Select(_ => (float)((2 * random.NextDouble()) - 1)).ToArray();
    }

    /// <summary>Many-to-one targets: a smooth function of each sequence's mean, [count, outputs].</summary>
    public static float[] LastStepTargets(float[] inputs, int count, int outputs)
    {
        int length = inputs.Length / count;
        var targets = new float[count * outputs];
        for (int i = 0; i < count; i++)
        {
            float mean = inputs.AsSpan(i * length, length).ToArray().Average();
            for (int o = 0; o < outputs; o++)
            {
                targets[(i * outputs) + o] = MathF.Tanh((2 + o) * mean);
            }
        }

        return targets;
    }
}
