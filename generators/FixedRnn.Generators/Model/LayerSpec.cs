namespace FixedRnn.Generators.Model;

/// <summary>One declared layer, in the order it is applied.</summary>
/// <param name="Kind">The layer kind.</param>
/// <param name="InputSize">Features it reads: the model input or the previous layer's hidden size.</param>
/// <param name="Size">Hidden units (recurrent layers) or outputs (Dense).</param>
/// <param name="Activation">The nonlinearity of an RNN or Dense layer; <see cref="Activation.Identity"/> otherwise.</param>
/// <param name="ResetAfter">For GRU: the reset-after form (PyTorch) rather than reset-before (Cho et al.).</param>
internal sealed record LayerSpec(LayerKind Kind, int InputSize, int Size, Activation Activation, bool ResetAfter)
{
    public bool IsRecurrent => Kind != LayerKind.Dense;

    /// <summary>A short human description, used in comments and docs: "LSTM 8 → 32".</summary>
    public string Describe() => Kind switch
    {
        LayerKind.Lstm => $"LSTM {InputSize} → {Size}",
        LayerKind.Gru => $"GRU ({(ResetAfter ? "reset-after" : "reset-before")}) {InputSize} → {Size}",
        LayerKind.Rnn => $"RNN ({Activation.ToString().ToLowerInvariant()}) {InputSize} → {Size}",
        _ => $"Dense ({Activation.ToString().ToLowerInvariant()}) {InputSize} → {Size}",
    };
}
