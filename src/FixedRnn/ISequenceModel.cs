using System;
using FixedRnn.Interop;

namespace FixedRnn;

/// <summary>
/// What every generated model offers, so that tools (benchmarks, trainers, tests) can work with any model: its
/// sizes, its parameters and the sequence <c>Forward</c> passes. A model with a bidirectional layer is only this
/// (and <see cref="ISequenceTrainableModel{TState, TTrace}"/>): the reverse direction of such a layer reads the
/// whole window before its first output, so the model has no streaming <c>Step</c>. Every other model is also an
/// <see cref="IRecurrentModel{TState}"/>. Calls through a generic type parameter constrained to this interface are
/// specialized by the JIT and cost nothing extra.
/// </summary>
/// <typeparam name="TState">The model's generated <c>State</c> value type.</typeparam>
public interface ISequenceModel<TState>
    where TState : struct
{
    /// <summary>Features per time step.</summary>
    int InputSize { get; }

    /// <summary>Outputs per time step.</summary>
    int OutputSize { get; }

    /// <summary>Layers, the Dense head included.</summary>
    int LayerCount { get; }

    /// <summary>Every weight and bias in the kernels' packed layout.</summary>
    Span<float> Parameters { get; }

    /// <summary>Runs a sequence, <c>[T, InputSize]</c> to <c>[T, OutputSize]</c>.</summary>
    /// <param name="inputs">T steps of features.</param>
    /// <param name="state">The stream's state.</param>
    /// <param name="outputs">Receives T steps of outputs.</param>
    void Forward(ReadOnlySpan<float> inputs, ref TState state, Span<float> outputs);

    /// <summary>
    /// Runs B sequences of T steps each, B = <paramref name="states"/>.Length: <c>[B, T, InputSize]</c> to
    /// <c>[B, T, OutputSize]</c>, T inferred; each sequence's results are those of its own single-stream Forward to the bit.
    /// </summary>
    /// <param name="inputs">B sequences of T steps of features.</param>
    /// <param name="states">The streams' states.</param>
    /// <param name="outputs">Receives B sequences of T steps of outputs.</param>
    void Forward(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs);

    /// <summary>
    /// The hidden state h of recurrent layer <paramref name="layer"/> within <paramref name="state"/>; for a
    /// bidirectional layer, the forward direction's.
    /// </summary>
    /// <param name="state">The state.</param>
    /// <param name="layer">The layer index.</param>
    /// <returns>The vector, as many floats as the layer's hidden units.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not a recurrent layer.</exception>
    Span<float> GetHiddenState(ref TState state, int layer);

    /// <summary>Loads a PyTorch state_dict, reading layer k from module <paramref name="modules"/>[k].</summary>
    /// <param name="tensors">The state_dict's tensors.</param>
    /// <param name="modules">One module name per layer.</param>
    void LoadPyTorch(SafeTensorsFile tensors, params ReadOnlySpan<string> modules);
}
