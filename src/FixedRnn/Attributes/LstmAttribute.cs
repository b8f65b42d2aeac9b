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
}
