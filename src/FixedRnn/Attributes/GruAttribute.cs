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

    /// <summary>
    /// <see langword="true"/> for a bidirectional layer (PyTorch's <c>bidirectional=True</c>, Keras' <c>Bidirectional</c>
    /// wrapper, ONNX's <c>direction="bidirectional"</c>): a forward and a reverse direction, each with its own weights,
    /// run over the whole sequence, and the layer's output at step t is <see cref="Merge"/> of the two h_t. The reverse
    /// direction needs the whole window before its first output, so a model with such a layer has <c>Forward</c> but no
    /// streaming <c>Step</c>; its reverse direction starts every window from the state's reverse vectors.
    /// </summary>
    public bool Bidirectional { get; set; }

    /// <summary>How a <see cref="Bidirectional"/> layer combines its directions; <see cref="BidirectionalMerge.Concat"/> (2H features) by default.</summary>
    public BidirectionalMerge Merge { get; set; }
}
