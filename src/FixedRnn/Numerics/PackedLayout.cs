using System;
using System.ComponentModel;

namespace FixedRnn.Numerics;

/// <summary>
/// Packs framework weight tensors into the layout the generated kernels read: hidden units in blocks
/// of eight lanes (the last one zero-padded), stored <c>[block][row][gate][lane]</c>, with biases
/// <c>[block][slot][lane]</c>.
/// </summary>
/// <remarks>
/// The generated code decides which gates go where; these helpers only move numbers, so the runtime
/// needs no knowledge of the generator.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PackedLayout
{
    private const int Lanes = Block.Lanes;

    /// <summary>Blocks needed for <paramref name="hidden"/> units.</summary>
    /// <param name="hidden">Hidden units.</param>
    /// <returns><c>ceil(hidden / 8)</c>.</returns>
    public static int Blocks(int hidden) => (hidden + Lanes - 1) / Lanes;

    /// <summary>
    /// Packs gates of a PyTorch-style weight, <c>[gates × hidden, columns]</c> row-major with gates
    /// stacked, into <c>[block][column][sourceGates.Length][lane]</c>.
    /// </summary>
    /// <param name="weight">The source tensor, <c>[gates × hidden, columns]</c>.</param>
    /// <param name="hidden">Hidden units per gate.</param>
    /// <param name="columns">Columns of the source: the features each unit reads.</param>
    /// <param name="sourceGates">For each packed gate slot, the gate of <paramref name="weight"/> it takes.</param>
    /// <param name="destination">Exactly <c>Blocks(hidden) × columns × sourceGates.Length × 8</c> floats.</param>
    public static void PackGates(ReadOnlySpan<float> weight, int hidden, int columns, ReadOnlySpan<int> sourceGates, Span<float> destination)
    {
        int slots = sourceGates.Length;
        if (destination.Length != Blocks(hidden) * columns * slots * Lanes)
        {
            throw new ArgumentException($"Expected {Blocks(hidden) * columns * slots * Lanes} floats.", nameof(destination));
        }

        foreach (int gate in sourceGates)
        {
            if ((long)(gate + 1) * hidden * columns > weight.Length)
            {
                throw new ArgumentException($"Gate {gate} lies beyond the {weight.Length} floats given.", nameof(weight));
            }
        }

        destination.Clear();
        for (int unit = 0; unit < hidden; unit++)
        {
            int block = unit / Lanes;
            int lane = unit % Lanes;
            for (int slot = 0; slot < slots; slot++)
            {
                ReadOnlySpan<float> row = weight.Slice(((sourceGates[slot] * hidden) + unit) * columns, columns);
                for (int column = 0; column < columns; column++)
                {
                    destination[((((block * columns) + column) * slots) + slot) * Lanes + lane] = row[column];
                }
            }
        }
    }

    /// <summary>
    /// Adds one gate of a bias vector, <c>[gates × hidden]</c>, into slot <paramref name="slot"/> of a packed
    /// bias, <c>[block][slots][lane]</c>; adding twice into one slot folds two biases into one.
    /// </summary>
    /// <param name="bias">The source bias, <c>[gates × hidden]</c>.</param>
    /// <param name="hidden">Hidden units per gate.</param>
    /// <param name="sourceGate">The gate of <paramref name="bias"/> to add.</param>
    /// <param name="slot">The packed slot it adds into.</param>
    /// <param name="slots">Slots per block in <paramref name="destination"/>.</param>
    /// <param name="destination">Exactly <c>Blocks(hidden) × slots × 8</c> floats.</param>
    public static void AddBias(ReadOnlySpan<float> bias, int hidden, int sourceGate, int slot, int slots, Span<float> destination)
    {
        if (destination.Length != Blocks(hidden) * slots * Lanes)
        {
            throw new ArgumentException($"Expected {Blocks(hidden) * slots * Lanes} floats.", nameof(destination));
        }

        if ((uint)slot >= (uint)slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slot));
        }

        ReadOnlySpan<float> gate = bias.Slice(sourceGate * hidden, hidden);
        for (int unit = 0; unit < hidden; unit++)
        {
            destination[((((unit / Lanes) * slots) + slot) * Lanes) + (unit % Lanes)] += gate[unit];
        }
    }

    /// <summary>
    /// The inverse of <see cref="PackGates"/>: writes the packed gates back into their rows of a
    /// PyTorch-style weight, <c>[gates × hidden, columns]</c>, leaving its other gates untouched.
    /// </summary>
    /// <param name="packed">Exactly <c>Blocks(hidden) × columns × sourceGates.Length × 8</c> floats.</param>
    /// <param name="hidden">Hidden units per gate.</param>
    /// <param name="columns">Columns of the weight.</param>
    /// <param name="sourceGates">For each packed gate slot, the gate of <paramref name="weight"/> it fills.</param>
    /// <param name="weight">The PyTorch-style weight to fill.</param>
    public static void UnpackGates(ReadOnlySpan<float> packed, int hidden, int columns, ReadOnlySpan<int> sourceGates, Span<float> weight)
    {
        int slots = sourceGates.Length;
        if (packed.Length != Blocks(hidden) * columns * slots * Lanes)
        {
            throw new ArgumentException($"Expected {Blocks(hidden) * columns * slots * Lanes} floats.", nameof(packed));
        }

        foreach (int gate in sourceGates)
        {
            if ((long)(gate + 1) * hidden * columns > weight.Length)
            {
                throw new ArgumentException($"Gate {gate} lies beyond the {weight.Length} floats given.", nameof(weight));
            }
        }

        for (int unit = 0; unit < hidden; unit++)
        {
            int block = unit / Lanes;
            int lane = unit % Lanes;
            for (int slot = 0; slot < slots; slot++)
            {
                Span<float> row = weight.Slice(((sourceGates[slot] * hidden) + unit) * columns, columns);
                for (int column = 0; column < columns; column++)
                {
                    row[column] = packed[((((block * columns) + column) * slots) + slot) * Lanes + lane];
                }
            }
        }
    }

    /// <summary>Copies slot <paramref name="slot"/> of a packed bias into gate <paramref name="sourceGate"/> of a PyTorch-style bias.</summary>
    /// <param name="packed">Exactly <c>Blocks(hidden) × slots × 8</c> floats.</param>
    /// <param name="hidden">Hidden units per gate.</param>
    /// <param name="sourceGate">The gate of <paramref name="bias"/> to fill.</param>
    /// <param name="slot">The packed slot to read.</param>
    /// <param name="slots">Slots per block in <paramref name="packed"/>.</param>
    /// <param name="bias">The PyTorch-style bias, <c>[gates × hidden]</c>.</param>
    public static void UnpackBias(ReadOnlySpan<float> packed, int hidden, int sourceGate, int slot, int slots, Span<float> bias)
    {
        if (packed.Length != Blocks(hidden) * slots * Lanes)
        {
            throw new ArgumentException($"Expected {Blocks(hidden) * slots * Lanes} floats.", nameof(packed));
        }

        if ((uint)slot >= (uint)slots)
        {
            throw new ArgumentOutOfRangeException(nameof(slot));
        }

        Span<float> gate = bias.Slice(sourceGate * hidden, hidden);
        for (int unit = 0; unit < hidden; unit++)
        {
            gate[unit] = packed[((((unit / Lanes) * slots) + slot) * Lanes) + (unit % Lanes)];
        }
    }
}
