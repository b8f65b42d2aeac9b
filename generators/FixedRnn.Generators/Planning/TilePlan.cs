using System.Collections.Generic;

namespace FixedRnn.Generators.Planning;

/// <summary>
/// How a pass groups a layer's blocks into register tiles: each tile keeps every accumulator of its blocks in
/// vector registers for the whole pass over the inputs.
/// </summary>
internal static class TilePlan
{
    /// <summary>
    /// Accumulator registers a tile may hold in the passes that only multiply and add (the hoisted input projection,
    /// the backward pass's weight gradients): AVX2 has 16 vector registers, and the broadcast input and a loaded
    /// weight need the rest.
    /// </summary>
    public const int AccumulatorBudget = 12;

    /// <summary>
    /// Accumulator registers each tile may hold when a step's layer needs more than one tile. The activations run
    /// while the tile's other accumulators are still live; with 12 of them on AVX2's 16 registers the JIT spilled
    /// the activations' polynomial chains to the stack (LSTM 1 → 64 Step 1.36× slower than with 8, measured with
    /// AVX-512 off), and with AVX-512's 32 registers 8 measured as fast or faster too. A layer that fits one tile of
    /// <see cref="AccumulatorBudget"/> stays one tile: splitting it costs a scratch copy of h (a reset-before GRU
    /// 8 → 32 measured 1.17× slower as two tiles).
    /// </summary>
    public const int StepAccumulatorBudget = 8;

    /// <summary>Accumulators of a wide tile, for blocks with 32 vector registers (see <c>LayerPlan.WideStepTiles</c>).</summary>
    public const int WideAccumulatorBudget = 16;

    /// <summary>The most blocks a wide tile spans.</summary>
    public const int WideTileBlocks = 4;

    /// <summary>
    /// Streams a batched step advances at once where the block has 32 vector registers: LSTM's 4 gates × 4 streams are
    /// 16 accumulators, beside 4 broadcast features and the weight vector they share.
    /// </summary>
    public const int WideTileStreams = 4;

    /// <summary>Streams a batched step advances at once with 16 vector registers: 4 gates × 2 streams, 2 features, a weight.</summary>
    public const int TileStreams = 2;

    /// <summary>The accumulators a batched step's tile holds, over all its streams, for <paramref name="streams"/> streams.</summary>
    public static int StreamAccumulatorBudget(int streams) => streams >= WideTileStreams ? WideAccumulatorBudget : StepAccumulatorBudget;

    /// <summary>The tiles of a batched step over <paramref name="streams"/> streams: each block's accumulators once per stream.</summary>
    public static IReadOnlyList<TileGroup> SplitStreams(int blocks, int accumulatorsPerBlock, int streams) =>
        Split(blocks, accumulatorsPerBlock * streams, StreamAccumulatorBudget(streams));

    /// <summary>The tiles of a step's pass: one tile if the layer fits <see cref="AccumulatorBudget"/>, else tiles of <see cref="StepAccumulatorBudget"/>.</summary>
    public static IReadOnlyList<TileGroup> SplitStep(int blocks, int accumulatorsPerBlock) =>
        blocks * accumulatorsPerBlock <= AccumulatorBudget
            ? Split(blocks, accumulatorsPerBlock)
            : Split(blocks, accumulatorsPerBlock, StepAccumulatorBudget);

    /// <summary>
    /// Splits <paramref name="blocks"/> into as few tiles as the budget allows, sizes differing by at most one
    /// block, so no tile is left nearly empty.
    /// </summary>
    public static IReadOnlyList<TileGroup> Split(int blocks, int accumulatorsPerBlock, int budget = AccumulatorBudget)
    {
        int largest = System.Math.Max(1, budget / accumulatorsPerBlock);
        int tiles = (blocks + largest - 1) / largest;
        int size = blocks / tiles;
        int larger = blocks % tiles;

        var groups = new List<TileGroup>();
        if (larger > 0)
        {
            groups.Add(new TileGroup(FirstBlock: 0, Count: larger, BlocksPerTile: size + 1));
        }

        groups.Add(new TileGroup(FirstBlock: larger * (size + 1), Count: tiles - larger, BlocksPerTile: size));
        return groups;
    }
}
