using System;

namespace FixedRnn;

/// <summary>
/// A gated recurrent unit layer: <c>r, z = σ(W x + b_i + U h + b_h)</c>, <c>h = (1-z)*n + z*h</c>, where
/// <c>n</c> depends on <see cref="ResetAfter"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : Attribute
{
    /// <summary>Declares a GRU layer.</summary>
    /// <param name="hiddenSize">Hidden units, from 1 to 4096.</param>
    public GruAttribute(int hiddenSize) => HiddenSize = hiddenSize;

    /// <summary>Hidden units.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// <see langword="true"/> (the default) for the reset-after form of PyTorch, cuDNN and Keras'
    /// default: <c>n = tanh(W_n x + b_in + r*(U_n h + b_hn))</c>. <see langword="false"/> for the
    /// reset-before form of Cho et al., Keras' <c>reset_after=False</c> and ONNX's default:
    /// <c>n = tanh(W_n x + b_in + U_n (r*h) + b_hn)</c>.
    /// </summary>
    public bool ResetAfter { get; set; } = true;
}
