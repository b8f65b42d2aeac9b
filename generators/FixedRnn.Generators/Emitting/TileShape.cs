using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The lane groups whose accumulators a tile's finish turns into new state, each a block's 8 lanes: the tile's blocks
/// in a single-stream kernel, or each block of each stream in a batched one (see <see cref="StreamTileWriter"/>).
/// A cell's finish names a member's values with its index (<c>i0</c>, <c>i1</c>) and finds its lanes of h, c and
/// <c>next</c> at <see cref="UnitsOf"/>; <c>KernelWriter.BlockGroups</c>
/// hands consecutive members to one activation call, two blocks of a stream or, batched, one block of two streams.
/// </summary>
internal sealed class TileShape
{
    private TileShape(int blocks, int streams)
    {
        Blocks = blocks;
        Streams = streams;
    }

    /// <summary>Blocks of the tile.</summary>
    public int Blocks { get; }

    /// <summary>Streams whose state the tile advances: 1, or a batched kernel's streams, <c>StateFloats</c> apart.</summary>
    public int Streams { get; }

    /// <summary>Members: one per block and stream, stream-minor.</summary>
    public int Count => Blocks * Streams;

    /// <summary>The tile's <paramref name="blocks"/> blocks of one stream.</summary>
    public static TileShape OfBlocks(int blocks) => new(blocks, 1);

    /// <summary>The tile's <paramref name="blocks"/> blocks of each of <paramref name="streams"/> streams.</summary>
    public static TileShape OfStreams(int blocks, int streams) => new(blocks, streams);

    /// <summary>The tile block of <paramref name="member"/>: which weights (an LSTM's peepholes) its lanes use.</summary>
    public int BlockOf(int member) => member / Streams;

    /// <summary>The first lane of <paramref name="member"/> within the first stream's h, c and <c>next</c>.</summary>
    public string UnitsOf(int member)
    {
        string units = KernelWriter.Units(BlockOf(member));
        int stream = member % Streams;
        return stream == 0 ? units : $"({units}) + {(stream == 1 ? "StateFloats" : $"({stream} * StateFloats)")}";
    }

    /// <summary>The first lane of <paramref name="member"/> relative to <paramref name="first"/>'s, whose lanes start at <c>units</c>.</summary>
    public string UnitsFrom(int first, int member)
    {
        if (member == first)
        {
            return "units";
        }

        int streams = (member % Streams) - (first % Streams);
        int lanes = (BlockOf(member) - BlockOf(first)) * Block.Lanes;
        string offset = Streams == 1 ? lanes.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : lanes == 0 ? (streams == 1 ? "StateFloats" : $"({streams} * StateFloats)")
            : $"{lanes} + ({streams} * StateFloats)";
        return $"units + {offset}";
    }
}
