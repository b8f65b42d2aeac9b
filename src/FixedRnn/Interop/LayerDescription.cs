using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// One layer of a generated model, as importers need to know it: generated models describe their
/// layers with these so that PyTorch, Keras and ONNX weights can be mapped onto them and checked.
/// </summary>
/// <param name="Kind">The cell kind, or Dense.</param>
/// <param name="InputSize">Features the layer reads.</param>
/// <param name="Size">Hidden units, or outputs for Dense.</param>
/// <param name="ResetAfter">For GRU: the reset-after form (PyTorch, Keras' default) rather than reset-before.</param>
/// <param name="Activation">For RNN and Dense: the nonlinearity; <see cref="LayerActivation.Default"/> is tanh for RNN
/// and identity for Dense.</param>
public readonly record struct LayerDescription(
    LayerKind Kind, int InputSize, int Size, bool ResetAfter = true, LayerActivation Activation = LayerActivation.Default)
{
    /// <summary>
    /// For LSTM: peephole connections (<c>[Lstm(h, Peepholes = true)]</c>, ONNX's <c>P</c>); the layer's tensors then
    /// include <c>weight_peephole</c> <c>[3·H]</c>, p_i, p_f, p_o.
    /// </summary>
    public bool Peepholes { get; init; }

    /// <summary>
    /// For LSTM: the units of h when it is projected (<c>[Lstm(h, ProjectionSize = p)]</c>, PyTorch's <c>proj_size</c>), or
    /// 0 when it is not. The layer's tensors then include <c>weight_hr</c> <c>[P, H]</c>, its <c>weight_hh</c> is
    /// <c>[4·H, P]</c>, and the next layer reads P features.
    /// </summary>
    public int ProjectionSize { get; init; }

    /// <summary>
    /// For LSTM, GRU and RNN: a bidirectional layer (<c>Bidirectional = true</c>); its reverse direction's tensors are
    /// PyTorch's <c>*_l{k}_reverse</c>, and the layer outputs <see cref="Merge"/> of the two directions' h.
    /// </summary>
    public bool Bidirectional { get; init; }

    /// <summary>For a <see cref="Bidirectional"/> layer: how its directions combine.</summary>
    public BidirectionalMerge Merge { get; init; }

    /// <summary>
    /// Features the layer passes up each step: h's units (<see cref="ProjectionSize"/> when h is projected, else
    /// <see cref="Size"/>), twice that for a concatenating bidirectional layer.
    /// </summary>
    public int OutputSize => (Bidirectional && Merge == BidirectionalMerge.Concat ? 2 : 1) * (ProjectionSize > 0 ? ProjectionSize : Size);

    /// <summary>The nonlinearity the layer computes, with <see cref="LayerActivation.Default"/> resolved: tanh for RNN,
    /// identity for Dense; for LSTM and GRU, tanh (their candidate's), the gates being sigmoids.</summary>
    public LayerActivation EffectiveActivation => Activation != LayerActivation.Default
        ? Activation
        : Kind == LayerKind.Dense ? LayerActivation.Identity : LayerActivation.Tanh;

    /// <summary>How messages name the layer: <c>LSTM 4 → 24</c>, <c>LSTM (projection) 4 → 24 → 8</c>, <c>RNN (relu) 5 → 9</c>, <c>Dense (sigmoid) 8 → 1</c>.</summary>
    /// <returns>The description.</returns>
    public string Describe()
    {
        string kind = Kind switch
        {
            LayerKind.Lstm => Peepholes ? "LSTM (peepholes)" : ProjectionSize > 0 ? "LSTM (projection)" : "LSTM",
            LayerKind.Gru => ResetAfter ? "GRU" : "GRU (reset-before)",
            LayerKind.Rnn => EffectiveActivation == LayerActivation.Tanh ? "RNN" : $"RNN ({Name(EffectiveActivation)})",
            _ => EffectiveActivation == LayerActivation.Identity ? "Dense" : $"Dense ({Name(EffectiveActivation)})",
        };
        string sizes = ProjectionSize > 0 ? $"{InputSize} → {Size} → {ProjectionSize}" : $"{InputSize} → {Size}";
        return Bidirectional
            ? $"bidirectional {kind} {sizes} ({Merge.ToString().ToLowerInvariant()})"
            : $"{kind} {sizes}";
    }

    internal static string Name(LayerActivation activation) => activation switch
    {
        LayerActivation.Identity => "identity",
        LayerActivation.Tanh => "tanh",
        LayerActivation.Sigmoid => "sigmoid",
        LayerActivation.Relu => "relu",
        _ => "default",
    };
}
