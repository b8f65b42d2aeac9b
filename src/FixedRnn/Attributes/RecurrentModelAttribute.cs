using System;

namespace FixedRnn;

/// <summary>
/// Marks a partial class as a FixedRnn model: the source generator emits its kernels, state and
/// weight loading, specialized for the layers declared by the layer attributes on the same declaration.
/// </summary>
/// <remarks>
/// Layers are applied in source order: <see cref="RnnAttribute"/>, <see cref="LstmAttribute"/> and
/// <see cref="GruAttribute"/> stack recurrent layers, and an optional <see cref="DenseAttribute"/> last
/// maps the final hidden state to the model's output.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RecurrentModelAttribute : Attribute
{
    /// <summary>Declares a model whose input at each time step has <paramref name="inputSize"/> features.</summary>
    /// <param name="inputSize">Features per time step, from 1 to 4096.</param>
    public RecurrentModelAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Features per time step.</summary>
    public int InputSize { get; }
}
