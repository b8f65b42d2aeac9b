using System;

namespace FixedRnn;

/// <summary>
/// A long short-term memory layer with PyTorch's gate order and equations:
/// <c>i, f, g, o = σ, σ, tanh, σ (W x + b_ih + U h + b_hh)</c>; <c>c = f*c + i*g</c>; <c>h = o*tanh(c)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : Attribute
{
    /// <summary>Declares an LSTM layer.</summary>
    /// <param name="hiddenSize">Hidden units, from 1 to 4096.</param>
    public LstmAttribute(int hiddenSize) => HiddenSize = hiddenSize;

    /// <summary>Hidden units.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// <see langword="true"/> for peephole connections, the ONNX <c>LSTM</c> operator's <c>P</c> input (Gers and
    /// Schmidhuber's LSTM, as Keras' <c>tf.keras.experimental.PeepholeLSTMCell</c> computes it): one diagonal weight
    /// per unit and gate lets i and f see <c>c_{t-1}</c> and o see the new <c>c_t</c>:
    /// <c>i = σ(… + p_i*c_{t-1})</c>, <c>f = σ(… + p_f*c_{t-1})</c>, <c>o = σ(… + p_o*c_t)</c>.
    /// PyTorch's <c>nn.LSTM</c> has no peepholes; the model's PyTorch tensors add <c>weight_peephole_l{k}</c>
    /// <c>[3·H]</c> (p_i, p_f, p_o). The default, <see langword="false"/>, is PyTorch's and Keras' LSTM.
    /// </summary>
    public bool Peepholes { get; set; }

    /// <summary>
    /// The units of a projected h, PyTorch's <c>nn.LSTM(proj_size=P)</c>: the cell state c keeps the hidden units and
    /// <c>h = W_hr (o*tanh(c))</c> has P, with <c>W_hr</c> <c>[P, H]</c> and no bias. The recurrent weights then read
    /// the P units of h (<c>weight_hh</c> is <c>[4·H, P]</c>), and the layer passes P features up, to the next layer or
    /// as the model's output. From 1 to the hidden size − 1, as PyTorch requires; the default, 0, is no projection
    /// (an explicit 0 is diagnosed: leave the property out). Keras and ONNX have no projection, so only PyTorch's
    /// <c>weight_hr_l{k}</c> and files <c>SavePyTorch</c> wrote fill it; not combined with <see cref="Peepholes"/>.
    /// </summary>
    public int ProjectionSize { get; set; }

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
