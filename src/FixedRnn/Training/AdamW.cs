using System;

namespace FixedRnn.Training;

/// <summary>
/// The AdamW optimizer: Adam with decoupled weight decay, following PyTorch's <c>torch.optim.AdamW</c> (without
/// AMSGrad).
/// </summary>
/// <remarks>
/// <para>
/// Each step first shrinks the parameters, <c>p = p · (1 − learningRate · weightDecay)</c>, and then applies the
/// <see cref="Adam"/> update to the undecayed gradient. Unlike Adam's L2 penalty, the decay therefore does not pass
/// through the moment estimates and is not rescaled by the adaptive denominator.
/// </para>
/// </remarks>
public sealed class AdamW : Adam
{
    /// <summary>Initializes a new instance of the <see cref="AdamW"/> class.</summary>
    /// <param name="parameterCount">The length of the parameter vector.</param>
    /// <param name="learningRate">The learning rate; finite and non-negative.</param>
    /// <param name="beta1">The decay rate of the first-moment estimate, in [0, 1).</param>
    /// <param name="beta2">The decay rate of the second-moment estimate, in [0, 1).</param>
    /// <param name="epsilon">The term added to the denominator for numerical stability; finite and non-negative.</param>
    /// <param name="weightDecay">The decoupled weight decay coefficient; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="parameterCount"/> is negative or a hyperparameter is outside its range.
    /// </exception>
    public AdamW(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0.01f)
        : base(parameterCount, learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay: true)
    {
    }
}
