using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary>
/// <see cref="Losses.MeanSquaredError"/> sums the squares eight lanes at a time: every length, vector body and tail,
/// must give the sum of the same single-precision differences, squared in double.
/// </summary>
public sealed class MeanSquaredErrorSumTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(31)]
    [InlineData(4099)]
    public void EveryLengthSumsEveryElement(int length)
    {
        var random = new System.Random(length);
        float[] predictions = new float[length];
        float[] targets = new float[length];
        double expected = 0;
        for (int i = 0; i < length; i++)
        {
            predictions[i] = (float)((random.NextDouble() * 20) - 10);
            targets[i] = (float)((random.NextDouble() * 20) - 10);
            float difference = predictions[i] - targets[i];
            expected += (double)difference * difference;
        }

        expected /= length;
        float withGradient = Losses.MeanSquaredError(predictions, targets, new float[length]);
        float withoutGradient = Losses.MeanSquaredError(predictions, targets, System.Span<float>.Empty);

        Assert.Equal((float)expected, withGradient);
        Assert.Equal((float)expected, withoutGradient);
    }
}
