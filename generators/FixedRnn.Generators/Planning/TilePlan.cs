using System.Collections.Generic;

namespace FixedRnn.Generators.Planning;

/// <summary>
/// How a pass groups a layer's blocks into register tiles: each tile keeps every accumulator of its blocks in
/// vector registers for the whole pass over the inputs.
/// </summary>
internal static class TilePlan
{
    /// <summary>
    /// Accumulator registers a tile may hold: AVX2 has 16 vector registers, and the broadcast input and a loaded
    /// weight need the rest.
    /// </summary>
    public const int AccumulatorBudget = 12;

    /// <summary>Accumulators of a wide tile, for blocks with 32 vector registers (see <c>LayerPlan.WideStepTiles</c>).</summary>
    public const int WideAccumulatorBudget = 16;

    /// <summary>The most blocks a wide tile spans.</summary>
    public const int WideTileBlocks = 4;

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
