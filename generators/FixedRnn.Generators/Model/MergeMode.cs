namespace FixedRnn.Generators.Model;

/// <summary>How a bidirectional layer combines its directions' h: the runtime's <c>BidirectionalMerge</c>, read by member name.</summary>
internal enum MergeMode
{
    /// <summary><c>[h_forward, h_reverse]</c>: 2H features.</summary>
    Concat,

    /// <summary><c>h_forward + h_reverse</c>.</summary>
    Sum,

    /// <summary><c>(h_forward + h_reverse) / 2</c>.</summary>
    Average,

    /// <summary><c>h_forward * h_reverse</c>.</summary>
    Multiply,
}
