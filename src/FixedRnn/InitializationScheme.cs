namespace FixedRnn;

/// <summary>The framework whose default weight initialization <see cref="Training.Initializers"/> reproduces.</summary>
public enum InitializationScheme
{
    /// <summary>
    /// What <c>reset_parameters</c> of <c>torch.nn.LSTM</c>, <c>GRU</c>, <c>RNN</c> and <c>Linear</c> do:
    /// recurrent tensors uniform in <c>±1/√hidden</c>; a linear layer's weight and bias uniform in <c>±1/√fan_in</c>.
    /// </summary>
    PyTorch = 0,

    /// <summary>
    /// The <c>tf.keras</c> layer defaults: Glorot-uniform input kernels, orthogonal recurrent kernels, zero
    /// biases except an LSTM's forget gate, which starts at one (<c>unit_forget_bias</c>).
    /// </summary>
    Keras = 1,
}
