using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The pieces every layer kernel shares: the method frame, register tiles, accumulators initialized
/// from the bias, and the broadcast-FMA pass over a packed weight segment.
/// </summary>
internal static class KernelWriter
{
    public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    public const string Span = "global::System.Span<float>";
    public const string BlockConstraint = "where TBlock : struct, global::FixedRnn.Numerics.IFloatBlock<TBlock>";
    public const string TraceConstraint = "where TTrace : struct, global::FixedRnn.Numerics.ITraceMode";

    /// <summary>Rows up to this count are unrolled; longer passes stay loops with constant trip counts.</summary>
    private const int UnrollRows = 4;

    /// <summary>
    /// Writes a kernel's signature, the layout constants it reads (<paramref name="segments"/>, every segment
    /// by default, and the bias), and a body. A forward kernel of a layer that records gates for training
    /// (<paramref name="traced"/>) takes the trace mode as a second type parameter.
    /// </summary>
    public static void Kernel(SourceWriter writer, LayerLayout layer, string summary, string parameters, Action body, string suffix = "", bool traced = true, IEnumerable<WeightSegment>? segments = null, bool bias = true)
    {
        traced = traced && layer.RecordSlots > 0;
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line($"private static void {layer.KernelName}{suffix}<TBlock{(traced ? ", TTrace" : string.Empty)}>({parameters})");
        writer.Indent();
        writer.Line(BlockConstraint);
        if (traced)
        {
            writer.Line(TraceConstraint);
        }

        writer.Unindent();
        using (writer.Block())
        {
            writer.Line("// Where this layer's packed weights start within Parameters (floats).");
            WeightConstants(writer, layer, segments ?? Segments(layer), bias);
            writer.Line();
            body();
        }

        writer.WriteDeferred();
    }

    /// <summary>One <c>const nuint</c> per segment (and the bias) giving where it starts within Parameters, with its layout.</summary>
    public static void WeightConstants(SourceWriter writer, LayerLayout layer, IEnumerable<WeightSegment> segments, bool bias)
    {
        foreach (WeightSegment segment in segments)
        {
            string gates = string.Join(", ", segment.Targets.Select(target => layer.Accumulators[target]));
            writer.Line($"const nuint {segment.Name} = {segment.Offset}; // {segment.Equation}: [{layer.Blocks} blocks][{segment.Rows} rows][{gates}][8 lanes]");
        }

        if (bias)
        {
            string biasSlots = string.Join(", ", layer.Accumulators.Take(layer.BiasSlots));
            writer.Line($"const nuint Bias = {layer.Bias}; // [{layer.Blocks} blocks][{biasSlots}][8 lanes]");
        }
    }

    public static IEnumerable<WeightSegment> Segments(LayerLayout layer)
    {
        yield return layer.InputWeights;
        if (layer.RecurrentWeights is not null)
        {
            yield return layer.RecurrentWeights;
        }

        if (layer.CandidateWeights is not null)
        {
            yield return layer.CandidateWeights;
        }
    }

    /// <summary>
    /// Writes the step of a single-pass cell (LSTM, reset-after GRU, RNN): register tiles whose
    /// accumulators start at the bias and take <c>W_ih x</c> and <c>W_hh h</c>; then
    /// <paramref name="finishTile"/> turns a tile's accumulators into the new h (in <c>next</c>, since every
    /// tile still reads the old h), which is copied over h at the end.
    /// </summary>
    /// <remarks>
    /// With <paramref name="projected"/>, writes the <c>Projected</c> variant that <c>Forward</c> uses: the
    /// accumulators start from a precomputed <c>b + W_ih x</c> row (see <see cref="InputProjectionWriter"/>)
    /// passed as <c>projection</c> in place of <c>input</c>.
    /// </remarks>
    public static void SinglePassKernel(SourceWriter writer, LayerLayout layer, string summary, string parameters, Action<int> finishTile, bool projected = false)
    {
        Kernel(writer, layer, projected ? ProjectedSummary(summary) : summary, projected ? ProjectedParameters(parameters) : parameters, () =>
        {
            StackScratch(writer, "next", layer.PaddedSize, "The new h waits here: every tile still reads the old h.");
            writer.Line();
            int[] all = Enumerable.Range(0, layer.Accumulators.Count).ToArray();
            Tiles(writer, layer, accumulatorsPerBlock: all.Length, blocks =>
            {
                StartAccumulators(writer, layer, blocks, all, projected);
                MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                finishTile(blocks);
            });
            writer.Line();
            writer.Line($"nextBuffer.CopyTo({MemoryMarshal}.CreateSpan(ref hidden, {layer.PaddedSize}));");
        },
        suffix: projected ? Projected : string.Empty,
        // The projected variant gets b + W_ih x ready-made: neither the input weights nor the bias are its to read.
        segments: projected ? new[] { layer.RecurrentWeights! } : null,
        bias: !projected);
    }

    /// <summary>The suffix of a kernel variant that starts from a precomputed input projection.</summary>
    public const string Projected = "Projected";

    public static string ProjectedSummary(string summary)
        => summary.Replace("by one step.", "by one step, from the step's row of the input projection b + W_ih x.");

    public static string ProjectedParameters(string parameters) => parameters.Replace("ref float input,", "ref float projection,");

    /// <summary>
    /// Declares the tile's accumulators <paramref name="slots"/>: from the bias followed by <c>W_ih x</c>, or, when
    /// <paramref name="projected"/>, from the step's projection row, which holds exactly that sum.
    /// </summary>
    public static void StartAccumulators(SourceWriter writer, LayerLayout layer, int blocks, IReadOnlyList<int> slots, bool projected)
    {
        if (projected)
        {
            AccumulatorsFromProjection(writer, layer, blocks, slots);
        }
        else
        {
            AccumulatorsFromBias(writer, layer, blocks, slots);
            MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
        }
    }

    /// <summary>Declares the tile's accumulators <paramref name="slots"/>, each starting at its entry of the projection row (laid out like the bias).</summary>
    public static void AccumulatorsFromProjection(SourceWriter writer, LayerLayout layer, int blocks, IReadOnlyList<int> slots)
        => AccumulatorsFrom(writer, layer, blocks, slots, "b + W_ih x", "ref projection, ");

    /// <summary>
    /// Writes one pass over every block of the layer in register tiles; <paramref name="tileBody"/>
    /// writes a tile's code given its block count, with <c>block</c> its first block.
    /// </summary>
    public static void Tiles(SourceWriter writer, LayerLayout layer, int accumulatorsPerBlock, Action<int> tileBody)
    {
        foreach (TileGroup group in TilePlan.Split(layer.Blocks, accumulatorsPerBlock))
        {
            int lastUnit = Math.Min(layer.Spec.Size, (group.FirstBlock + (group.Count * group.BlocksPerTile)) * LayerLayout.Lanes);
            string tiles = group.Count == 1 ? "One tile" : $"{group.Count} tiles";
            string blocks = group.BlocksPerTile == 1 ? "1 block" : $"{group.BlocksPerTile} blocks";
            writer.Line($"// {tiles} of {blocks} ({group.BlocksPerTile * LayerLayout.Lanes} lanes): units {group.FirstBlock * LayerLayout.Lanes}–{lastUnit - 1}.");
            if (group.Count == 1)
            {
                using (writer.Block())
                {
                    writer.Line($"const nuint block = {group.FirstBlock};");
                    tileBody(group.BlocksPerTile);
                }
            }
            else
            {
                using (writer.Block($"for (nuint tile = 0; tile < {group.Count}; tile++)"))
                {
                    writer.Line(group.FirstBlock == 0
                        ? $"nuint block = tile * {group.BlocksPerTile};"
                        : $"nuint block = {group.FirstBlock} + (tile * {group.BlocksPerTile});");
                    tileBody(group.BlocksPerTile);
                }
            }
        }
    }

    /// <summary>Declares the tile's accumulators <paramref name="slots"/>, each starting at its bias.</summary>
    public static void AccumulatorsFromBias(SourceWriter writer, LayerLayout layer, int blocks, IReadOnlyList<int> slots)
        => AccumulatorsFrom(writer, layer, blocks, slots, "the bias", "ref weights, Bias + ");

    /// <summary>Declares the accumulators from a buffer laid out like the bias, <c>[block][slot][lane]</c>, at <paramref name="source"/>.</summary>
    private static void AccumulatorsFrom(SourceWriter writer, LayerLayout layer, int blocks, IReadOnlyList<int> slots, string what, string source)
    {
        int blockStride = layer.BiasSlots * LayerLayout.Lanes;
        string names = string.Join(", ", slots.Select(slot => layer.Accumulators[slot]));
        writer.Line($"// Accumulators {names} for each block of the tile, starting at {what}.");
        for (int block = 0; block < blocks; block++)
        {
            foreach (int slot in slots)
            {
                int offset = (block * blockStride) + (slot * LayerLayout.Lanes);
                writer.Line($"TBlock {layer.Accumulators[slot]}{block} = TBlock.Load({source}(block * {blockStride}) + {offset});");
            }
        }
    }

    /// <summary>
    /// Accumulates <c>segment × source</c> into the tile's accumulators: one broadcast of each source
    /// feature feeds every gate of every block in the tile.
    /// </summary>
    public static void MultiplyAccumulate(SourceWriter writer, LayerLayout layer, WeightSegment segment, string source, int blocks)
    {
        string gates = string.Join(", ", segment.Targets.Select(target => layer.Accumulators[target]));
        writer.Line($"// {segment.Equation}: each feature k, broadcast once, feeds {gates} of every block in the tile.");
        if (segment.Rows <= UnrollRows)
        {
            for (int row = 0; row < segment.Rows; row++)
            {
                using (writer.Block())
                {
                    writer.Line($"const nuint k = {row};");
                    RowBody(writer, layer, segment, source, blocks);
                }
            }
        }
        else
        {
            using (writer.Block($"for (nuint k = 0; k < {segment.Rows}; k++)"))
            {
                RowBody(writer, layer, segment, source, blocks);
            }
        }
    }

    private static void RowBody(SourceWriter writer, LayerLayout layer, WeightSegment segment, string source, int blocks)
    {
        writer.Line($"TBlock feature = TBlock.Broadcast({Unsafe}.Add(ref {source}, k));");
        writer.Line($"nuint row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
        for (int block = 0; block < blocks; block++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                string accumulator = layer.Accumulators[segment.Targets[gate]] + block;
                int offset = (block * segment.BlockStride) + (gate * LayerLayout.Lanes);
                writer.Line($"{accumulator} = TBlock.MultiplyAdd(feature, ref weights, row + {offset}, {accumulator});");
            }
        }
    }

    /// <summary>
    /// Writes a tile's lane-wise work two blocks at a time (the last alone when the count is odd), so
    /// that <see cref="BlockGroup.Activate"/> can hand both blocks to one activation call.
    /// </summary>
    public static void BlockGroups(SourceWriter writer, int blocks, string comment, Action<BlockGroup> body)
    {
        for (int first = 0; first < blocks; first += 2)
        {
            int count = Math.Min(2, blocks - first);
            writer.Line(count == 2
                ? $"// Blocks {first} and {first + 1} of the tile, their activations in one call: {comment}"
                : $"// Block {first} of the tile: {comment}");
            using (writer.Block())
            {
                writer.Line($"nuint units = (block + {first}) * 8;");
                body(new BlockGroup(writer, first, count));
            }
        }
    }

    /// <summary>A scratch vector of <paramref name="floats"/> floats on the stack, and a reference to its start.</summary>
    public static void StackScratch(SourceWriter writer, string name, int floats, string why)
        => StackScratch(writer, name, floats.ToString(System.Globalization.CultureInfo.InvariantCulture), why);

    /// <summary>A scratch vector on the stack whose length is the C# expression <paramref name="length"/>, and a reference to its start.</summary>
    public static void StackScratch(SourceWriter writer, string name, string length, string why)
    {
        writer.Line($"// {why}");
        writer.Line($"{Span} {name}Buffer = stackalloc float[{length}];");
        writer.Line($"ref float {name} = ref {MemoryMarshal}.GetReference({name}Buffer);");
    }

    /// <summary>When recording, stores the block's values for the backward pass, slot by slot.</summary>
    public static void Record(SourceWriter writer, LayerLayout layer, int block, params string[] values)
        => Record(writer, layer, block, firstSlot: 0, values);

    /// <summary>When recording, stores the block's values for the backward pass from slot <paramref name="firstSlot"/> on.</summary>
    public static void Record(SourceWriter writer, LayerLayout layer, int block, int firstSlot, params string[] values)
    {
        using (writer.Block("if (TTrace.IsRecording)"))
        {
            writer.Line($"nuint record = (block + {block}) * {layer.RecordSlots * LayerLayout.Lanes};");
            for (int slot = 0; slot < values.Length; slot++)
            {
                writer.Line($"TBlock.Store({values[slot]}, ref gates, record + {(firstSlot + slot) * LayerLayout.Lanes});");
            }
        }
    }

    public static string Activate(Model.Activation activation, string value) => activation switch
    {
        Model.Activation.Tanh => $"TBlock.Tanh({value})",
        Model.Activation.Sigmoid => $"TBlock.Sigmoid({value})",
        Model.Activation.Relu => $"TBlock.Relu({value})",
        _ => value,
    };
}

/// <summary>
/// One or two consecutive blocks of a tile, written by <see cref="KernelWriter.BlockGroups"/>. Each block's
/// values are named with its index in the tile (<c>inputGate0</c>, <c>inputGate1</c>) and its lanes start at
/// <see cref="Units"/>.
/// </summary>
internal sealed class BlockGroup
{
    private readonly SourceWriter _writer;

    public BlockGroup(SourceWriter writer, int first, int count)
    {
        _writer = writer;
        Blocks = Enumerable.Range(first, count).ToArray();
    }

    /// <summary>The blocks' indices within the tile.</summary>
    public IReadOnlyList<int> Blocks { get; }

    /// <summary>The first lane of <paramref name="block"/> relative to the scope's <c>units</c>.</summary>
    public string Units(int block) => block == Blocks[0] ? "units" : $"units + {(block - Blocks[0]) * 8}";

    /// <summary>
    /// Declares <c>{result}{block}</c> = <paramref name="function"/>(<paramref name="argument"/>(block)) for
    /// every block, as one call for a pair.
    /// </summary>
    public void Activate(string function, string result, Func<int, string> argument)
    {
        if (Blocks.Count == 2)
        {
            _writer.Line($"(TBlock {result}{Blocks[0]}, TBlock {result}{Blocks[1]}) = TBlock.{function}({argument(Blocks[0])}, {argument(Blocks[1])});");
        }
        else
        {
            _writer.Line($"TBlock {result}{Blocks[0]} = TBlock.{function}({argument(Blocks[0])});");
        }
    }

    /// <summary>Writes <paramref name="line"/>(block, units) for every block.</summary>
    public void Each(Func<int, string, string> line)
    {
        foreach (int block in Blocks)
        {
            _writer.Line(line(block, Units(block)));
        }
    }
}
