namespace FixedRnn.Training;

/// <summary>The kind of one layer of a model, as the generated code describes its layers.</summary>
/// <remarks>
/// The one list of kinds: this file is compiled into the runtime and, linked, into the source generator,
/// which maps a layer attribute <c>[X]</c> (<c>FixedRnn.XAttribute</c>) to the member named <c>X</c>.
/// </remarks>
#if FIXEDRNN_GENERATOR
internal
#else
public
#endif
enum LayerKind
{
    /// <summary>A long short-term memory layer; four gates stacked in PyTorch order <c>i, f, g, o</c>.</summary>
    Lstm = 0,

    /// <summary>A gated recurrent unit layer; three gates stacked in PyTorch order <c>r, z, n</c>.</summary>
    Gru = 1,

    /// <summary>A vanilla (Elman) recurrent layer; one gate.</summary>
    Rnn = 2,

    /// <summary>A fully connected layer, as <c>torch.nn.Linear</c>.</summary>
    Dense = 3,
}
