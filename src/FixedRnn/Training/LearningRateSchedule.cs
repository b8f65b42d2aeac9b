using System;

namespace FixedRnn.Training;

/// <summary>Computes the learning rate for an epoch from the initial learning rate.</summary>
/// <param name="epoch">The 0-based epoch; epoch 0 uses the initial learning rate for every schedule in <see cref="LearningRateSchedules"/>.</param>
/// <param name="baseLearningRate">The initial learning rate.</param>
/// <returns>The learning rate to use during <paramref name="epoch"/>.</returns>
/// <remarks>
/// Schedules are pure functions of their arguments, so the same schedule can drive several optimizers and training can
/// resume at any epoch. The epoch numbering matches PyTorch's <c>last_epoch</c>: the rate for epoch <c>k</c> is the one
/// a PyTorch scheduler reports after <c>k</c> calls to <c>scheduler.step()</c>.
/// </remarks>
public delegate float LearningRateSchedule(int epoch, float baseLearningRate);

/// <summary>Learning-rate schedules with the closed forms of PyTorch's <c>torch.optim.lr_scheduler</c> classes.</summary>
/// <remarks>
/// Every schedule evaluates its formula in double precision and rounds the result to <see cref="float"/> once, and
/// throws <see cref="ArgumentOutOfRangeException"/> when called with a negative epoch.
/// </remarks>
public static class LearningRateSchedules
{
    private static readonly LearningRateSchedule s_constant = (epoch, baseLearningRate) =>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        return baseLearningRate;
    };

    /// <summary>Gets a schedule that keeps the initial learning rate for every epoch.</summary>
    /// <returns>A schedule returning <c>baseLearningRate</c>.</returns>
    public static LearningRateSchedule Constant() => s_constant;

    /// <summary>
    /// Gets a schedule that multiplies the learning rate by <paramref name="gamma"/> every <paramref name="stepSize"/>
    /// epochs, like PyTorch's <c>StepLR</c>.
    /// </summary>
    /// <param name="stepSize">The number of epochs between decays; positive.</param>
    /// <param name="gamma">The decay factor; finite and non-negative.</param>
    /// <returns>A schedule returning <c>baseLearningRate · gamma^⌊epoch / stepSize⌋</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="stepSize"/> is not positive, or <paramref name="gamma"/> is negative or not finite.
    /// </exception>
    public static LearningRateSchedule StepDecay(int stepSize, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        ThrowIfNegativeOrNotFinite(gamma, nameof(gamma));
        return (epoch, baseLearningRate) =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epoch);
            return (float)(baseLearningRate * Math.Pow(gamma, epoch / stepSize));
        };
    }

    /// <summary>
    /// Gets a schedule that multiplies the learning rate by <paramref name="gamma"/> every epoch, like PyTorch's
    /// <c>ExponentialLR</c>.
    /// </summary>
    /// <param name="gamma">The decay factor; finite and non-negative.</param>
    /// <returns>A schedule returning <c>baseLearningRate · gamma^epoch</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gamma"/> is negative or not finite.</exception>
    public static LearningRateSchedule ExponentialDecay(float gamma)
    {
        ThrowIfNegativeOrNotFinite(gamma, nameof(gamma));
        return (epoch, baseLearningRate) =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epoch);
            return (float)(baseLearningRate * Math.Pow(gamma, epoch));
        };
    }

    /// <summary>
    /// Gets a schedule that follows half a cosine period from the initial learning rate down to
    /// <paramref name="minimum"/> over <paramref name="maxEpochs"/> epochs, with the closed form of PyTorch's
    /// <c>CosineAnnealingLR</c>.
    /// </summary>
    /// <param name="maxEpochs">The number of epochs to reach <paramref name="minimum"/> (PyTorch's <c>T_max</c>); positive.</param>
    /// <param name="minimum">The learning rate at epoch <paramref name="maxEpochs"/> (PyTorch's <c>eta_min</c>); finite and non-negative.</param>
    /// <returns>
    /// A schedule returning <c>minimum + (baseLearningRate − minimum) · (1 + cos(π · epoch / maxEpochs)) / 2</c>.
    /// </returns>
    /// <remarks>
    /// Past <paramref name="maxEpochs"/> the cosine continues, so the rate climbs back to the initial value at
    /// <c>2 · maxEpochs</c>, as PyTorch's scheduler does when stepped beyond <c>T_max</c>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxEpochs"/> is not positive, or <paramref name="minimum"/> is negative or not finite.
    /// </exception>
    public static LearningRateSchedule CosineAnnealing(int maxEpochs, float minimum = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEpochs);
        ThrowIfNegativeOrNotFinite(minimum, nameof(minimum));
        return (epoch, baseLearningRate) =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epoch);
            double cosine = Math.Cos(Math.PI * epoch / maxEpochs);
            return (float)(minimum + ((baseLearningRate - (double)minimum) * (1 + cosine) / 2));
        };
    }

    private static void ThrowIfNegativeOrNotFinite(float value, string paramName)
    {
        if (!float.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "The value must be finite and non-negative.");
        }
    }
}
