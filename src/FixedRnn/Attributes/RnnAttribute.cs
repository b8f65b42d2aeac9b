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
}
