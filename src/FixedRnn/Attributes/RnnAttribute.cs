using System;

namespace FixedRnn;

/// <summary>A vanilla (Elman) recurrent layer: <c>h = act(W x + b_ih + U h + b_hh)</c>, as PyTorch's <c>nn.RNN</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RnnAttribute : Attribute
{
    /// <summary>Declares a vanilla RNN layer.</summary>
    /// <param name="hiddenSize">Hidden units, from 1 to 4096.</param>
    public RnnAttribute(int hiddenSize) => HiddenSize = hiddenSize;

    /// <summary>Hidden units.</summary>
    public int HiddenSize { get; }

    /// <summary>The nonlinearity; <see cref="RnnActivation.Tanh"/> unless set.</summary>
    public RnnActivation Activation { get; set; } = RnnActivation.Tanh;

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
