namespace FixedRnn.Training;

/// <summary>The kind of one layer of a model, as the generated code describes its layers.</summary>
public enum LayerKind
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
