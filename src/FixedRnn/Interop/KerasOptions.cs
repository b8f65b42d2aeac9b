using System;

namespace FixedRnn.Interop;

/// <summary>
/// The Keras configuration that <see cref="KerasWeights.ToPyTorch(KerasFile, System.ReadOnlySpan{LayerDescription}, System.ReadOnlySpan{string}, KerasOptions?, bool)"/> cannot read from a weights file and
/// must be told: the activations the Keras LSTM and GRU layers were built with.
/// </summary>
/// <remarks>
/// <para>
/// A weights file holds tensors only, not the layers' configuration. FixedRnn's LSTM and GRU cells compute
/// their gates with the logistic sigmoid and their candidate and output with tanh, the defaults of TF2 Keras
/// and Keras 3. Weights trained with other functions load without complaint but compute something else, so
/// the conversion refuses them with <see cref="NotSupportedException"/> rather than return a model that is
/// silently wrong. Both settings apply to every LSTM and GRU layer, and are checked only when the model has
/// one; a model made of SimpleRNN and Dense layers ignores them.
/// </para>
/// <para>
/// A SimpleRNN's activation and a Dense layer's activation are part of the FixedRnn declaration instead
/// (<c>[Rnn(h, Activation = RnnActivation.Relu)]</c>, <c>[Dense(n, Activation = DenseActivation.Sigmoid)]</c>):
/// declare the ones the Keras layers use. Their weights are the same whatever the activation.
/// </para>
/// <para>
/// Names are matched ignoring case, underscores and an optional <c>"keras.activations."</c> prefix, so
/// Keras' <c>"hard_sigmoid"</c> and TensorFlow.js' <c>"hardSigmoid"</c> are the same function.
/// </para>
/// </remarks>
public sealed class KerasOptions
{
    /// <summary>
    /// The Keras <c>recurrent_activation</c> of the LSTM and GRU layers: the gates' function. FixedRnn
    /// implements <c>"sigmoid"</c> (the default here, and in TF2 Keras and Keras 3) only;
    /// <c>"hard_sigmoid"</c> (Keras 2.0's and TensorFlow.js' default) and anything else are rejected.
    /// </summary>
    public string RecurrentActivation { get; init; } = "sigmoid";

    /// <summary>
    /// The Keras <c>activation</c> of the LSTM and GRU layers: the candidate's (and the LSTM output's)
    /// function. FixedRnn implements <c>"tanh"</c> (the default) only; anything else is rejected.
    /// </summary>
    public string Activation { get; init; } = "tanh";
}
