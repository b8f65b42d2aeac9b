namespace FixedRnn.Interop;

/// <summary>
/// The nonlinearity of an RNN or Dense layer, as importers compare it with what a file declares (an ONNX
/// <c>RNN</c> node's <c>activations</c>, the activation node after a head, a Keras layer's <c>activation</c>).
/// </summary>
public enum LayerActivation
{
    /// <summary>The kind's default: tanh for an RNN layer, none (identity) for a Dense layer; LSTM and GRU have no choice.</summary>
    Default = 0,

    /// <summary>No activation: <c>y = x</c>.</summary>
    Identity = 1,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 2,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid = 3,

    /// <summary>Rectified linear unit, <c>max(x, 0)</c>.</summary>
    Relu = 4,
}
