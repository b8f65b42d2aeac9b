using System;
using System.Numerics.Tensors;

namespace FixedRnn.Training;

/// <summary>Gradient clipping, applied between the backward pass and <see cref="Optimizer.Step"/>.</summary>
public static class GradientClipping
{
    // PyTorch's clip_grad_norm_ adds this to the norm so an all-zero gradient does not divide by zero.
    private const float NormEpsilon = 1e-6f;

    /// <summary>
    /// Rescales <paramref name="gradients"/> in place so their L2 norm is at most about <paramref name="maxNorm"/>,
    /// following PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>.
    /// </summary>
    /// <param name="gradients">The gradients, viewed as one vector.</param>
    /// <param name="maxNorm">The largest norm allowed; non-negative, possibly infinite.</param>
    /// <returns>The L2 norm of <paramref name="gradients"/> before clipping.</returns>
    /// <remarks>
    /// <para>
    /// With <c>norm</c> the L2 norm and <c>c = maxNorm / (norm + 1e-6)</c>, the gradients are multiplied by <c>c</c>
    /// when <c>c &lt; 1</c> and left untouched otherwise, so a clipped vector's norm is slightly below
    /// <paramref name="maxNorm"/>.
    /// </para>
    /// <para>
    /// If the norm is not finite (a gradient is NaN or infinite, or the sum of squares overflows) the gradients are left
    /// untouched; check the returned value to skip such a step. PyTorch would instead multiply by 0 or NaN.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative or NaN.</exception>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be non-negative.");
        }

        float norm = TensorPrimitives.Norm<float>(gradients);
        if (!float.IsFinite(norm))
        {
            return norm;
        }

        float scale = maxNorm / (norm + NormEpsilon);
        if (scale < 1)
        {
            TensorPrimitives.Multiply(gradients, scale, gradients);
        }

        return norm;
    }
}
