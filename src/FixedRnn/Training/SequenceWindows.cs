using System;

namespace FixedRnn.Training;

/// <summary>
/// Cuts a series into <c>(window, next value)</c> pairs for many-to-one training, the way the Keras lecture example
/// builds its data: <c>X[i] = series[i : i + windowLength]</c>, <c>y[i] = series[i + windowLength]</c>.
/// </summary>
/// <remarks>
/// The series is <c>[S, features]</c> row-major; windows come out as <c>[N, windowLength, features]</c> and targets as
/// <c>[N, features]</c> (the step after each window), which is the layout
/// <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> takes. Window i starts at step <c>i · stride</c>.
/// </remarks>
public static class SequenceWindows
{
    /// <summary>The number of pairs a series of <paramref name="steps"/> steps gives.</summary>
    /// <param name="steps">The series' length in steps; 0 or more.</param>
    /// <param name="windowLength">Steps per window; 1 or more.</param>
    /// <param name="stride">Steps between window starts; 1 or more.</param>
    /// <returns><c>⌊(steps − windowLength − 1) / stride⌋ + 1</c>, or 0 when the series is not longer than one window.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public static int Count(int steps, int windowLength, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        return steps <= windowLength ? 0 : ((steps - windowLength - 1) / stride) + 1;
    }

    /// <summary>Writes every pair of <paramref name="series"/> into <paramref name="windows"/> and <paramref name="nextValues"/>.</summary>
    /// <param name="series">The series, <c>[S, features]</c>.</param>
    /// <param name="features">Values per step; 1 or more.</param>
    /// <param name="windowLength">Steps per window; 1 or more.</param>
    /// <param name="windows">Receives <c>[N, windowLength, features]</c>, N from <see cref="Count"/>.</param>
    /// <param name="nextValues">Receives <c>[N, features]</c>: the step after each window.</param>
    /// <param name="stride">Steps between window starts; 1 (every window) by default.</param>
    /// <returns>N, the number of pairs written.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside its range.</exception>
    /// <exception cref="ArgumentException">A span's length does not match; nothing is written then.</exception>
    public static int Cut(ReadOnlySpan<float> series, int features, int windowLength, Span<float> windows, Span<float> nextValues, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (series.Length % features != 0)
        {
            throw new ArgumentException($"Expected whole steps of {features} features, got {series.Length} floats.", nameof(series));
        }

        int count = Count(series.Length / features, windowLength, stride);
        long windowFloats = (long)count * windowLength * features;
        if (windows.Length != windowFloats)
        {
            throw new ArgumentException($"Expected {count} windows of {windowLength} steps of {features} features ({windowFloats} floats), got {windows.Length}.", nameof(windows));
        }

        if (nextValues.Length != count * features)
        {
            throw new ArgumentException($"Expected {count} next values of {features} features ({count * features} floats), got {nextValues.Length}.", nameof(nextValues));
        }

        int windowLengthFloats = windowLength * features;
        for (int i = 0; i < count; i++)
        {
            int start = i * stride * features;
            series.Slice(start, windowLengthFloats).CopyTo(windows.Slice(i * windowLengthFloats, windowLengthFloats));
            series.Slice(start + windowLengthFloats, features).CopyTo(nextValues.Slice(i * features, features));
        }

        return count;
    }

    /// <summary>Allocates and fills the pairs of <paramref name="series"/>; see <see cref="Cut"/>.</summary>
    /// <param name="series">The series, <c>[S, features]</c>.</param>
    /// <param name="windowLength">Steps per window; 1 or more.</param>
    /// <param name="features">Values per step; 1 (a univariate series) by default.</param>
    /// <param name="stride">Steps between window starts; 1 by default.</param>
    /// <returns>The windows <c>[N, windowLength, features]</c> and the next values <c>[N, features]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside its range.</exception>
    /// <exception cref="ArgumentException"><paramref name="series"/> is not whole steps.</exception>
    public static (float[] Windows, float[] NextValues) Create(ReadOnlySpan<float> series, int windowLength, int features = 1, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        if (series.Length % features != 0)
        {
            throw new ArgumentException($"Expected whole steps of {features} features, got {series.Length} floats.", nameof(series));
        }

        int count = Count(series.Length / features, windowLength, stride);
        var windows = new float[checked(count * windowLength * features)];
        var nextValues = new float[count * features];
        Cut(series, features, windowLength, windows, nextValues, stride);
        return (windows, nextValues);
    }
}
