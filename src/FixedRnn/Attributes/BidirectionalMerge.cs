namespace FixedRnn;

/// <summary>
/// How a bidirectional layer combines its two directions' h each step: Keras' <c>merge_mode</c> of its
/// <c>Bidirectional</c> wrapper. PyTorch's <c>bidirectional=True</c> and ONNX's <c>direction="bidirectional"</c> concatenate.
/// </summary>
public enum BidirectionalMerge
{
    /// <summary><c>[h_forward, h_reverse]</c>, 2H features, the forward direction's first (Keras' <c>"concat"</c>, the default).</summary>
    Concat = 0,

    /// <summary><c>h_forward + h_reverse</c>, H features (Keras' <c>"sum"</c>).</summary>
    Sum = 1,

    /// <summary><c>(h_forward + h_reverse) / 2</c>, H features (Keras' <c>"ave"</c>).</summary>
    Average = 2,

    /// <summary><c>h_forward * h_reverse</c>, H features (Keras' <c>"mul"</c>).</summary>
    Multiply = 3,
}
