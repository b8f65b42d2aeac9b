using System;

namespace FixedRnn;

/// <summary>
/// A model that also streams: one time step at a time, for one stream or many. Every generated model without a
/// bidirectional layer is one; see <see cref="ISequenceModel{TState}"/> for what all models offer.
/// </summary>
/// <typeparam name="TState">The model's generated <c>State</c> value type.</typeparam>
public interface IRecurrentModel<TState> : ISequenceModel<TState>
    where TState : struct
{
    /// <summary>Advances <paramref name="state"/> by one time step and writes the step's output.</summary>
    /// <param name="input">The step's features.</param>
    /// <param name="state">The stream's state.</param>
    /// <param name="output">Receives the step's outputs.</param>
    void Step(ReadOnlySpan<float> input, ref TState state, Span<float> output);

    /// <summary>
    /// Advances B streams by one step each, B = <paramref name="states"/>.Length: <c>[B, InputSize]</c> to
    /// <c>[B, OutputSize]</c>, row-major; each stream's results are those of its own single-stream Step to the bit.
    /// </summary>
    /// <param name="inputs">One row of features per stream.</param>
    /// <param name="states">The streams' states.</param>
    /// <param name="outputs">Receives one row of outputs per stream.</param>
    void Step(ReadOnlySpan<float> inputs, Span<TState> states, Span<float> outputs);
}
