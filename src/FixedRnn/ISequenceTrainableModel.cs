using System;
using FixedRnn.Interop;

namespace FixedRnn;

/// <summary>
/// Training support of a generated model: a preallocated trace, a recording forward pass and the backward pass, so
/// trainers and tests can work with any model. Every generated model has it, a bidirectional one included;
/// <see cref="ITrainableModel{TState, TTrace}"/> adds streaming, which truncated BPTT over one long series needs.
/// </summary>
/// <typeparam name="TState">The model's generated <c>State</c>.</typeparam>
/// <typeparam name="TTrace">The model's generated <c>Trace</c>.</typeparam>
public interface ISequenceTrainableModel<TState, TTrace> : ISequenceModel<TState>
    where TState : struct
    where TTrace : class
{
    /// <summary>Allocates a trace for windows of up to <paramref name="maxSteps"/> steps.</summary>
    /// <param name="maxSteps">The longest window.</param>
    /// <returns>The trace.</returns>
    TTrace CreateTrace(int maxSteps);

    /// <summary>Runs a sequence and records what the backward pass needs.</summary>
    /// <param name="inputs">T steps of features.</param>
    /// <param name="state">The stream's state.</param>
    /// <param name="outputs">Receives T steps of outputs.</param>
    /// <param name="trace">Receives the recording.</param>
    void Forward(ReadOnlySpan<float> inputs, ref TState state, Span<float> outputs, TTrace trace);

    /// <summary>
    /// Backpropagates through the recorded window: adds dL/dParameters into
    /// <paramref name="parameterGradients"/>, writes dL/dInputs, and turns <paramref name="stateGradient"/>
    /// from dL/d(final state) into dL/d(initial state). (A bidirectional layer's reverse direction starts every
    /// window from the state's reverse vectors and leaves them as they were, so their gradient passes through and
    /// gains what the window's outputs add.)
    /// </summary>
    /// <param name="trace">The recording.</param>
    /// <param name="outputGradients">dL/dOutputs.</param>
    /// <param name="parameterGradients">Accumulates dL/dParameters, laid out like the parameters.</param>
    /// <param name="inputGradients">Receives dL/dInputs, or empty to skip them.</param>
    /// <param name="stateGradient">In: dL/d(final state). Out: dL/d(initial state).</param>
    void Backward(TTrace trace, ReadOnlySpan<float> outputGradients, Span<float> parameterGradients, Span<float> inputGradients, ref TState stateGradient);

    /// <summary>
    /// Runs B sequences of T steps each, B = <paramref name="states"/>.Length, recording sequence b in
    /// <paramref name="traces"/>[b]: each sequence's outputs, state and trace are those of its own recording
    /// <see cref="Forward(ReadOnlySpan{float}, ref TState, Span{float}, TTrace)"/>.
    /// </summary>
    /// <param name="inputs">The batch's inputs, <c>[B, T, InputSize]</c>.</param>
    /// <param name="states">The streams' states, each advanced by T steps.</param>
    /// <param name="outputs">Receives <c>[B, T, OutputSize]</c> outputs.</param>
    /// <param name="traces">One trace per sequence.</param>
    void Forward(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs, ReadOnlySpan<TTrace> traces);

    /// <summary>
    /// Backpropagates through B recorded windows, each cut at both ends (no state gradient enters after it or leaves
    /// before it), and adds the batch's summed dL/dParameters into <paramref name="parameterGradients"/>, forming each
    /// weight gradient over all B × T steps at once. Bitwise the same as B calls of
    /// <see cref="Backward(TTrace, ReadOnlySpan{float}, Span{float}, Span{float}, ref TState)"/> in order with zero
    /// state gradients.
    /// </summary>
    /// <param name="traces">The batch's recordings, all of one length T.</param>
    /// <param name="outputGradients">dL/dOutputs, <c>[B, T, OutputSize]</c>.</param>
    /// <param name="parameterGradients">Accumulates dL/dParameters, laid out like the parameters.</param>
    void Backward(ReadOnlySpan<TTrace> traces, ReadOnlySpan<float> outputGradients, Span<float> parameterGradients);

    /// <summary>Replaces every parameter with fresh, seeded weights following PyTorch's or Keras' defaults.</summary>
    /// <param name="scheme">Whose defaults to follow.</param>
    /// <param name="seed">The seed of the random draws.</param>
    void Initialize(InitializationScheme scheme, int seed);

    /// <summary>Unpacks parameters (or gradients laid out like them) into PyTorch's names and layout.</summary>
    /// <param name="packed">Floats in the layout of the parameters.</param>
    /// <param name="modules">One module name per layer.</param>
    /// <returns>The tensors, ready to save.</returns>
    static abstract SafeTensorsWriter ToPyTorch(ReadOnlySpan<float> packed, params ReadOnlySpan<string> modules);
}
