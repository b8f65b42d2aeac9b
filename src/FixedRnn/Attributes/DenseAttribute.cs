using System;

namespace FixedRnn;

/// <summary>A fully connected head, <c>y = act(W h + b)</c>, as PyTorch's <c>nn.Linear</c>; it must be the last layer.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense head.</summary>
    /// <param name="outputSize">Outputs, from 1 to 4096.</param>
    public DenseAttribute(int outputSize) => OutputSize = outputSize;

    /// <summary>Outputs.</summary>
    public int OutputSize { get; }

    /// <summary>The activation applied to <c>W h + b</c>; <see cref="DenseActivation.Identity"/> unless set.</summary>
    public DenseActivation Activation { get; set; } = DenseActivation.Identity;
}
