using System;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Training;

/// <summary><see cref="SequenceWindows"/>: the lecture's <c>X[i] = s[i:i+T]</c>, <c>y[i] = s[i+T]</c>, and its guards.</summary>
public sealed class SequenceWindowsTests
{
    [Fact]
    public void CutsTheLecturesPairs()
    {
        float[] series = [0, 1, 2, 3, 4, 5];
        (float[] windows, float[] next) = SequenceWindows.Create(series, windowLength: 3);

        Assert.Equal([0, 1, 2, 1, 2, 3, 2, 3, 4], windows);
        Assert.Equal([3, 4, 5], next);
    }

    [Fact]
    public void CutsMultivariateSeriesWithAStride()
    {
        // Steps of two features: (0, 10), (1, 11), ...; windows of 2 steps every 2 steps.
        float[] series = [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15];
        Assert.Equal(2, SequenceWindows.Count(steps: 6, windowLength: 2, stride: 2));
        var windows = new float[2 * 2 * 2];
        var next = new float[2 * 2];

        Assert.Equal(2, SequenceWindows.Cut(series, features: 2, windowLength: 2, windows, next, stride: 2));

        Assert.Equal([0, 10, 1, 11, 2, 12, 3, 13], windows);
        Assert.Equal([2, 12, 4, 14], next);
    }

    [Theory]
    [InlineData(10, 10, 1, 0)]
    [InlineData(11, 10, 1, 1)]
    [InlineData(220, 10, 1, 210)]
    [InlineData(20, 3, 4, 5)]   // starts 0, 4, 8, 12, 16: the window at 16 needs steps 16..19 and its target is step 19
    [InlineData(19, 3, 4, 4)]
    public void CountsThePairs(int steps, int window, int stride, int expected)
        => Assert.Equal(expected, SequenceWindows.Count(steps, window, stride));

    [Fact]
    public void RejectsBadSizesNamingTheArgument()
    {
        Assert.Equal("windowLength", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindows.Count(10, 0)).ParamName);
        Assert.Equal("windowLength", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindows.Count(10, -1)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindows.Count(10, 2, -3)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindows.Count(-1, 2)).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentOutOfRangeException>(() => SequenceWindows.Create(new float[4], 2, features: 0)).ParamName);
        Assert.Equal("series", Assert.Throws<ArgumentException>(() => SequenceWindows.Create(new float[5], 2, features: 2)).ParamName);

        var windows = new float[9];
        var next = new float[3];
        next.AsSpan().Fill(float.NaN);
        Assert.Equal("windows", Assert.Throws<ArgumentException>(() => SequenceWindows.Cut(new float[6], 1, 3, new float[8], next)).ParamName);
        Assert.Equal("nextValues", Assert.Throws<ArgumentException>(() => SequenceWindows.Cut(new float[6], 1, 3, windows, new float[2])).ParamName);
        Assert.All(next, value => Assert.True(float.IsNaN(value)));
    }
}
