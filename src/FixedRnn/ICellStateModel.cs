using System;

namespace FixedRnn;

/// <summary>A generated model with at least one LSTM layer, whose <c>State</c> also holds cell states.</summary>
/// <typeparam name="TState">The model's generated <c>State</c> value type.</typeparam>
public interface ICellStateModel<TState> : IRecurrentModel<TState>
    where TState : struct
{
    /// <summary>The cell state c of LSTM layer <paramref name="layer"/> within <paramref name="state"/>.</summary>
    /// <param name="state">The state.</param>
    /// <param name="layer">The layer index.</param>
    /// <returns>The vector, as many floats as the layer's hidden units.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is not an LSTM layer.</exception>
    Span<float> GetCellState(ref TState state, int layer);
}
