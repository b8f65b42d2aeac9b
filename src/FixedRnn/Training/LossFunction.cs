using System;

namespace FixedRnn.Training;

/// <summary>
/// A regression loss: compares <paramref name="predictions"/> with <paramref name="targets"/> elementwise, returns the
/// reduced loss and optionally writes its gradient with respect to the predictions.
/// </summary>
/// <param name="predictions">The model's outputs.</param>
/// <param name="targets">The desired outputs, the same length as <paramref name="predictions"/>.</param>
/// <param name="gradient">
/// Receives <c>dLoss/dPredictions</c>; either empty, to compute only the loss, or the same length as
/// <paramref name="predictions"/>.
/// </param>
/// <returns>The loss.</returns>
/// <remarks>
/// <see cref="Losses.MeanSquaredError"/>, <see cref="Losses.MeanAbsoluteError"/> and the default-delta
/// <see cref="Losses.Huber(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> convert to this delegate as method groups.
/// </remarks>
public delegate float LossFunction(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient);
