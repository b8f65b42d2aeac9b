using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedRnn.Training;

/// <summary>
/// Loss functions with the mean reduction and gradients of their PyTorch counterparts.
/// </summary>
/// <remarks>
/// <para>
/// Each function returns the loss averaged over all elements (over all rows for
/// <see cref="SoftmaxCrossEntropy(ReadOnlySpan{float}, int, ReadOnlySpan{int}, Span{float})"/>) and, unless the gradient span is empty, writes the gradient of that mean with
/// respect to its first argument. Elementwise differences and gradients are computed in single precision, as
/// PyTorch does, while the loss is accumulated in double precision and rounded once, so it does not degrade with the
/// element count.
/// </para>
/// <para>None of the loss functions allocate (the <c>SoftmaxCrossEntropy(int)</c> factory allocates, once, the delegate it returns).</para>
/// </remarks>
public static class Losses
{
    // Rows of SoftmaxCrossEntropy are processed through a stack buffer of this many elements when the caller does not
    // supply a gradient span to use as scratch.
    private const int StackScratchLength = 256;

    /// <summary>The mean squared error, like PyTorch's <c>MSELoss</c>.</summary>
    /// <param name="predictions">The predictions, <c>p</c>; not empty.</param>
    /// <param name="targets">The targets, <c>t</c>; the same length as <paramref name="predictions"/>.</param>
    /// <param name="gradient">Empty, or the same length as <paramref name="predictions"/> to receive <c>2 (p − t) / N</c>.</param>
    /// <returns><c>mean((p − t)²)</c>.</returns>
    /// <exception cref="ArgumentException">A span is empty or has the wrong length.</exception>
    public static float MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        ValidateRegression(predictions, targets, gradient);
        int count = predictions.Length;

        // PyTorch scales by the float nearest 2/N rather than doubling and dividing.
        double sum = SumOfSquaredDifferences(predictions, targets, gradient, (float)(2.0 / count));
        return (float)(sum / count);
    }

    /// <summary>
    /// Σ (p − t)², each difference in single precision as PyTorch computes it, squared and summed in double; and,
    /// unless <paramref name="scaledDifferences"/> is empty, each difference times <paramref name="scale"/> written
    /// there, in the same pass.
    /// </summary>
    /// <remarks>
    /// Two <see cref="Vector256{T}"/> accumulators of four doubles, fed by widening eight differences at a time:
    /// a single running double sum is a chain of dependent additions, one per element. Without Vector256, or for
    /// the last few elements, the scalar loop.
    /// </remarks>
    private static double SumOfSquaredDifferences(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> scaledDifferences, float scale)
    {
        int count = predictions.Length;
        bool scaled = !scaledDifferences.IsEmpty;
        int i = 0;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && count >= Vector256<float>.Count)
        {
            ref float p = ref MemoryMarshal.GetReference(predictions);
            ref float t = ref MemoryMarshal.GetReference(targets);
            ref float d = ref MemoryMarshal.GetReference(scaledDifferences);
            Vector256<double> lower = Vector256<double>.Zero;
            Vector256<double> upper = Vector256<double>.Zero;
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> difference = Vector256.LoadUnsafe(ref p, (nuint)i) - Vector256.LoadUnsafe(ref t, (nuint)i);
                if (scaled)
                {
                    (difference * scale).StoreUnsafe(ref d, (nuint)i);
                }

                (Vector256<double> low, Vector256<double> high) = Vector256.Widen(difference);
                lower += low * low;
                upper += high * high;
            }

            sum = Vector256.Sum(lower + upper);
        }

        for (; i < count; i++)
        {
            float difference = predictions[i] - targets[i];
            if (scaled)
            {
                scaledDifferences[i] = difference * scale;
            }

            sum += (double)difference * difference;
        }

        return sum;
    }

    /// <summary>The mean absolute error, like PyTorch's <c>L1Loss</c>.</summary>
    /// <param name="predictions">The predictions, <c>p</c>; not empty.</param>
    /// <param name="targets">The targets, <c>t</c>; the same length as <paramref name="predictions"/>.</param>
    /// <param name="gradient">
    /// Empty, or the same length as <paramref name="predictions"/> to receive the subgradient <c>sign(p − t) / N</c>,
    /// which is 0 where <c>p = t</c>.
    /// </param>
    /// <returns><c>mean(|p − t|)</c>.</returns>
    /// <exception cref="ArgumentException">A span is empty or has the wrong length.</exception>
    public static float MeanAbsoluteError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        ValidateRegression(predictions, targets, gradient);
        int count = predictions.Length;
        float scale = 1f / count;
        bool computeGradient = !gradient.IsEmpty;

        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            float difference = predictions[i] - targets[i];
            sum += Math.Abs(difference);
            if (computeGradient)
            {
                // The last arm yields 0 for a tie and keeps a NaN difference NaN.
                gradient[i] = difference > 0 ? scale : difference < 0 ? -scale : difference * scale;
            }
        }

        return (float)(sum / count);
    }

    /// <summary>The Huber loss with <c>delta = 1</c>, PyTorch's default for <c>HuberLoss</c>.</summary>
    /// <param name="predictions">The predictions, <c>p</c>; not empty.</param>
    /// <param name="targets">The targets, <c>t</c>; the same length as <paramref name="predictions"/>.</param>
    /// <param name="gradient">Empty, or the same length as <paramref name="predictions"/> to receive the gradient.</param>
    /// <returns>The mean Huber loss.</returns>
    /// <remarks>This overload converts to <see cref="LossFunction"/> as a method group.</remarks>
    /// <exception cref="ArgumentException">A span is empty or has the wrong length.</exception>
    public static float Huber(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient)
        => Huber(predictions, targets, gradient, 1f);

    /// <summary>The Huber loss, like PyTorch's <c>HuberLoss</c>.</summary>
    /// <param name="predictions">The predictions, <c>p</c>; not empty.</param>
    /// <param name="targets">The targets, <c>t</c>; the same length as <paramref name="predictions"/>.</param>
    /// <param name="gradient">
    /// Empty, or the same length as <paramref name="predictions"/> to receive the gradient
    /// <c>clamp(p − t, −delta, delta) / N</c>.
    /// </param>
    /// <param name="delta">Where the loss changes from quadratic to linear; positive.</param>
    /// <returns>
    /// The mean over elements of <c>0.5 d²</c> where <c>|d| &lt; delta</c> and <c>delta (|d| − 0.5 delta)</c> elsewhere,
    /// with <c>d = p − t</c>.
    /// </returns>
    /// <exception cref="ArgumentException">A span is empty or has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive.</exception>
    public static float Huber(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient, float delta)
    {
        ValidateRegression(predictions, targets, gradient);
        if (!(delta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber delta must be positive.");
        }

        int count = predictions.Length;
        float scale = 1f / count;
        bool computeGradient = !gradient.IsEmpty;

        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            float difference = predictions[i] - targets[i];
            double magnitude = Math.Abs(difference);
            sum += magnitude < delta ? 0.5 * magnitude * magnitude : delta * (magnitude - (0.5 * delta));
            if (computeGradient)
            {
                // PyTorch's huber_backward branch order: |d| = delta takes the linear side, as the loss above does.
                gradient[i] = difference <= -delta ? -scale * delta : difference >= delta ? scale * delta : scale * difference;
            }
        }

        return (float)(sum / count);
    }

    /// <summary>
    /// The softmax cross-entropy of a batch of logits against class labels, like PyTorch's <c>CrossEntropyLoss</c> with
    /// class-index targets.
    /// </summary>
    /// <param name="logits">The unnormalized scores, <c>[N, classes]</c> row-major.</param>
    /// <param name="classes">The number of classes; positive.</param>
    /// <param name="labels">The correct class of each row, <c>N</c> values in <c>[0, classes)</c>; not empty.</param>
    /// <param name="gradient">
    /// Empty, or the same length as <paramref name="logits"/> to receive <c>(softmax(row) − onehot(label)) / N</c> per row.
    /// </param>
    /// <returns>The mean over rows of <c>logsumexp(row) − row[label]</c>.</returns>
    /// <remarks>
    /// Each row's maximum is subtracted before exponentiating, so arbitrarily large finite logits neither overflow nor
    /// lose the result.
    /// </remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="labels"/> is empty, <paramref name="logits"/> does not hold exactly <c>N · classes</c> values, or
    /// <paramref name="gradient"/> has the wrong length.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive, or a label is outside <c>[0, classes)</c>.</exception>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<int> labels, Span<float> gradient)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (labels.IsEmpty)
        {
            throw new ArgumentException("At least one row is required.", nameof(labels));
        }

        if (logits.Length != (long)labels.Length * classes)
        {
            throw new ArgumentException(
                $"Expected {labels.Length} rows of {classes} logits ({(long)labels.Length * classes} values) but got {logits.Length}.",
                nameof(logits));
        }

        if (!gradient.IsEmpty && gradient.Length != logits.Length)
        {
            throw new ArgumentException($"The gradient must be empty or hold {logits.Length} values but holds {gradient.Length}.", nameof(gradient));
        }

        // Validated up front so a bad label cannot leave the gradient partly written.
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"Labels must be in [0, {classes}).");
            }
        }

        int rows = labels.Length;
        float scale = 1f / rows;
        Span<float> stackScratch = gradient.IsEmpty ? stackalloc float[StackScratchLength] : default;

        double sum = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> rowLogits = logits.Slice(row * classes, classes);
            float max = TensorPrimitives.Max(rowLogits);
            double sumOfExponentials;
            if (gradient.IsEmpty)
            {
                sumOfExponentials = 0;
                for (int start = 0; start < classes; start += StackScratchLength)
                {
                    int length = Math.Min(StackScratchLength, classes - start);
                    sumOfExponentials += SumOfShiftedExponentials(rowLogits.Slice(start, length), max, stackScratch[..length]);
                }
            }
            else
            {
                Span<float> rowGradient = gradient.Slice(row * classes, classes);
                sumOfExponentials = SumOfShiftedExponentials(rowLogits, max, rowGradient);

                // rowGradient holds exp(x − max); dividing by the row's sum and by N gives softmax / N.
                TensorPrimitives.Multiply(rowGradient, (float)(1.0 / (sumOfExponentials * rows)), rowGradient);
                rowGradient[labels[row]] -= scale;
            }

            sum += max + Math.Log(sumOfExponentials) - rowLogits[labels[row]];
        }

        return (float)(sum / rows);
    }

    /// <summary>
    /// Softmax cross-entropy as a <see cref="LossFunction"/>, for training a classification head with a
    /// trainer: the targets are, per row of <paramref name="classes"/>, class probabilities (one-hot for hard labels).
    /// </summary>
    /// <param name="classes">Classes per row: the model's output size.</param>
    /// <returns>A loss over <c>[N, classes]</c> logits and targets, the mean over rows of <c>−Σ p · log softmax(row)</c>.</returns>
    public static LossFunction SoftmaxCrossEntropy(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        return (logits, targets, gradient) => SoftmaxCrossEntropyWithTargets(logits, classes, targets, gradient);
    }

    /// <summary>Softmax cross-entropy against target probabilities: the mean over rows of <c>−Σ p · log softmax(row)</c>.</summary>
    /// <param name="logits">Row-major <c>[N, classes]</c>.</param>
    /// <param name="classes">Classes per row.</param>
    /// <param name="targets">Target probabilities, <c>[N, classes]</c>; each row should sum to 1.</param>
    /// <param name="gradient">Empty, or the length of <paramref name="logits"/> to receive <c>(softmax(row) · Σp − p) / N</c>.</param>
    /// <returns>The loss.</returns>
    public static float SoftmaxCrossEntropyWithTargets(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (logits.IsEmpty || logits.Length % classes != 0)
        {
            throw new ArgumentException($"Expected one or more rows of {classes} logits, got {logits.Length} values.", nameof(logits));
        }

        if (targets.Length != logits.Length)
        {
            throw new ArgumentException($"Expected {logits.Length} target probabilities, got {targets.Length}.", nameof(targets));
        }

        if (!gradient.IsEmpty && gradient.Length != logits.Length)
        {
            throw new ArgumentException($"The gradient must be empty or hold {logits.Length} values but holds {gradient.Length}.", nameof(gradient));
        }

        int rows = logits.Length / classes;
        double sum = 0;
        for (int row = 0; row < rows; row++)
        {
            ReadOnlySpan<float> rowLogits = logits.Slice(row * classes, classes);
            ReadOnlySpan<float> rowTargets = targets.Slice(row * classes, classes);
            float max = TensorPrimitives.Max(rowLogits);
            double sumOfExponentials = 0;
            foreach (float logit in rowLogits)
            {
                sumOfExponentials += Math.Exp(logit - max);
            }

            double logSum = max + Math.Log(sumOfExponentials);
            double targetMass = 0;
            for (int c = 0; c < classes; c++)
            {
                sum -= rowTargets[c] * (rowLogits[c] - logSum);
                targetMass += rowTargets[c];
            }

            if (!gradient.IsEmpty)
            {
                for (int c = 0; c < classes; c++)
                {
                    gradient[(row * classes) + c] = (float)(((Math.Exp(rowLogits[c] - logSum) * targetMass) - rowTargets[c]) / rows);
                }
            }
        }

        return (float)(sum / rows);
    }

    /// <summary>Writes <c>exp(x − max)</c> to <paramref name="exponentials"/> and returns their sum.</summary>
    private static double SumOfShiftedExponentials(ReadOnlySpan<float> logits, float max, Span<float> exponentials)
    {
        TensorPrimitives.Subtract(logits, max, exponentials);
        TensorPrimitives.Exp(exponentials, exponentials);
        double sum = 0;
        foreach (float value in exponentials)
        {
            sum += value;
        }

        return sum;
    }

    private static void ValidateRegression(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        if (predictions.IsEmpty)
        {
            throw new ArgumentException("The mean of an empty set is undefined; at least one prediction is required.", nameof(predictions));
        }

        if (targets.Length != predictions.Length)
        {
            throw new ArgumentException($"Expected {predictions.Length} targets but got {targets.Length}.", nameof(targets));
        }

        if (!gradient.IsEmpty && gradient.Length != predictions.Length)
        {
            throw new ArgumentException($"The gradient must be empty or hold {predictions.Length} values but holds {gradient.Length}.", nameof(gradient));
        }
    }
}
