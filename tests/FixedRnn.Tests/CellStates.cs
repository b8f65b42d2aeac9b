using System;

namespace FixedRnn.Tests;

/// <summary>The cell state of an LSTM layer, for tests generic over any model: only models with an LSTM layer implement <see cref="ICellStateModel{TState}"/>.</summary>
internal static class CellStates
{
    public static Span<float> Of<TState>(IRecurrentModel<TState> model, ref TState state, int layer)
        where TState : struct
        => ((ICellStateModel<TState>)model).GetCellState(ref state, layer);
}
