namespace FixedRnn.Numerics;

/// <summary>The unit of the packed layout: hidden units are grouped in blocks of <see cref="Lanes"/> float lanes.</summary>
/// <remarks>
/// The one definition of the block width: this file is compiled into the runtime and, linked, into the source
/// generator, so the kernels it emits and the runtime's packing and block types cannot disagree.
/// </remarks>
#if FIXEDRNN_GENERATOR
internal
#else
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public
#endif
static class Block
{
    /// <summary>Float lanes per block.</summary>
    public const int Lanes = 8;
}
