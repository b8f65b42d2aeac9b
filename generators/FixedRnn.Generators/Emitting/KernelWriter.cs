using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The pieces every layer kernel shares: the method frame and its layout constants, register tiles,
/// accumulators started from the bias or a projection row, and the broadcast-FMA pass over a packed weight
/// segment. Kernels are written inside the generated file-local kernel classes, where <c>Unsafe</c>,
/// <c>MemoryMarshal</c>, <c>NInt</c> and <c>NUInt</c> are aliases (see <see cref="SourceFile"/>).
/// </summary>
internal static class KernelWriter
{
    public const string BlockConstraint = "where TBlock : struct, IFloatBlock<TBlock>";
    public const string TraceConstraint = "where TTrace : struct, ITraceMode";

    /// <summary>The constraint on the batch kernels' trace type, the model's <c>Trace</c>, which they do not name.</summary>
    public const string RecordingsConstraint = "where TRecording : class, ITraceBuffers";

    /// <summary>Rows up to this count are unrolled; longer passes stay loops with constant trip counts.</summary>
    private const int UnrollRows = 4;

    /// <summary>The name of a step kernel variant: <c>Layer0</c>, or <c>Layer0Projected</c> for the one that starts from the input projection.</summary>
    public static string StepKernelName(LayerPlan layer, StepVariant variant)
        => variant == StepVariant.FromProjection ? layer.KernelName + "Projected" : layer.KernelName;

    /// <summary>
    /// A step kernel's parameters, in order: the weights, what the step reads (the input, or its projection row),
    /// the layer's state vectors (or, for a head, the model's output), then what it records.
    /// </summary>
    public static IReadOnlyList<string> StepParameters(LayerPlan layer, StepVariant variant)
    {
        var parameters = new List<string> { "weights", variant == StepVariant.FromProjection ? "projection" : "input" };
        parameters.AddRange(layer.IsRecurrent ? layer.StateVectors.Select(vector => vector.Parameter) : new[] { "output" });
        if (layer.Records)
        {
            parameters.Add("gates");
        }

        parameters.AddRange(layer.Cell.TraceArrays.Select(array => array.Parameter));
        return parameters;
    }

    /// <summary>
    /// Writes a step kernel's frame: its summary, signature and the layout constants it reads
    /// (<paramref name="segments"/> and, when it starts from the input, the bias), then <paramref name="body"/>,
    /// then any helper methods the body deferred.
    /// </summary>
    public static void StepKernel(SourceWriter writer, LayerPlan layer, StepVariant variant, IEnumerable<WeightSegment> segments, Action body)
    {
        string summary = $"Layer {layer.Index}, {layer.Describe()}: {layer.Cell.StepSummary(layer)}"
            + (variant == StepVariant.FromProjection ? ", from the step's row of the input projection b + W_ih x" : string.Empty)
            + (layer.IsWide ? ", in one wide tile for blocks with 32 vector registers." : ".");
        string typeParameters = layer.Records ? "TBlock, TTrace" : "TBlock";
        string parameters = string.Join(", ", StepParameters(layer, variant).Select(name => $"ref float {name}"));
        writer.Line($"/// <summary>{summary}</summary>");
        Signature(writer, $"public static void {StepKernelName(layer, variant)}<{typeParameters}>({parameters})", traced: layer.Records);
        using (writer.Block())
        {
            LayoutConstants(writer, layer, segments, bias: variant == StepVariant.FromInput);
            SourceWriter.Position slots = writer.Mark();
            writer.Line();
            body();
            SlotConstants(writer, slots, layer);
        }

        writer.WriteDeferred();
    }

    /// <summary>A kernel's signature line, with its constraints and the attribute that compiles it optimized at once.</summary>
    public static void Signature(SourceWriter writer, string signature, bool traced, bool outOfLine = false, bool recordings = false)
    {
        writer.Line(outOfLine ? SourceFile.OptimizedOutOfLine : SourceFile.Optimized);
        writer.Line(signature);
        writer.Indent();
        writer.Line(BlockConstraint);
        if (traced)
        {
            writer.Line(TraceConstraint);
        }

        if (recordings)
        {
            writer.Line(RecordingsConstraint);
        }

        writer.Unindent();
    }

    /// <summary>One <c>const NUInt</c> per segment (and the bias) giving where it starts within Parameters, with its layout.</summary>
    public static void LayoutConstants(SourceWriter writer, LayerPlan layer, IEnumerable<WeightSegment> segments, bool bias)
    {
        foreach (string line in LayoutLines(layer, segments, bias).Select(constant => constant.Line))
        {
            writer.Line(line);
        }
    }

    /// <summary>
    /// Declares, at <paramref name="position"/>, those of the layout constants <see cref="LayoutConstants"/> would
    /// write that the code since then names: a frame whose body uses only some segments declares only those.
    /// </summary>
    public static void UsedLayoutConstants(SourceWriter writer, SourceWriter.Position position, LayerPlan layer, IEnumerable<WeightSegment> segments, bool bias)
    {
        string body = writer.TextSince(position);
        writer.InsertAt(position, LayoutLines(layer, segments, bias)
            .Where(constant => constant.Name is null || Regex.IsMatch(body, $@"\b{constant.Name}\b"))
            .Select(constant => constant.Line)
            .ToArray() is { Length: > 1 } lines ? lines : Array.Empty<string>());
    }

    private static IEnumerable<(string? Name, string Line)> LayoutLines(LayerPlan layer, IEnumerable<WeightSegment> segments, bool bias)
    {
        yield return (null, "// Where this layer's packed weights start within Parameters (floats).");
        foreach (WeightSegment segment in segments)
        {
            string gates = string.Join(", ", Outputs(layer, segment));
            yield return (segment.Name, $"const NUInt {segment.Name} = {segment.Offset}; // {segment.Equation}: [{segment.Blocks} blocks][{segment.Rows} rows][{gates}][{Block.Lanes} lanes]");
        }

        if (bias)
        {
            string slots = string.Join(", ", layer.Cell.Accumulators.Take(layer.Cell.BiasSlots).Select(accumulator => accumulator.Symbol));
            yield return ("Bias", $"const NUInt Bias = {layer.Bias}; // [{layer.Blocks} blocks][{slots}][{Block.Lanes} lanes]");
        }
    }

    /// <summary>
    /// The symbols of what each gate stored per row of <paramref name="segment"/> feeds: the accumulators it targets, or
    /// h itself for a projection.
    /// </summary>
    public static IReadOnlyList<string> Outputs(LayerPlan layer, WeightSegment segment)
        => segment.Source == SegmentSource.Projection
            ? new[] { layer.Hidden.Symbol }
            : segment.Targets.Select(target => layer.Cell.Accumulators[target].Symbol).ToArray();

    /// <summary>
    /// Declares, at <paramref name="position"/>, the slot constants the code since then used: where each recorded
    /// vector sits within a block's record (<c>ForgetGateSlot</c>) and where each pre-activation gradient sits within
    /// a block's gradients, laid out like the bias (<c>ForgetGateGradient</c>).
    /// </summary>
    public static void SlotConstants(SourceWriter writer, SourceWriter.Position position, LayerPlan layer)
    {
        var lines = new List<string>();
        string[] records = layer.Cell.TraceSlots.Select((slot, index) => (Name: slot + "Slot", Offset: index * Block.Lanes))
            .Where(slot => writer.Used.Contains(slot.Name)).Select(slot => $"{slot.Name} = {slot.Offset}").ToArray();
        if (records.Length > 0)
        {
            lines.Add("// Where the vectors a block records sit within the block's record (floats).");
            lines.Add($"const NUInt {string.Join(", ", records)};");
        }

        string[] gradients = layer.Cell.Accumulators.Take(layer.Cell.BiasSlots).Select((accumulator, index) => (Name: accumulator.Name + "Gradient", Offset: index * Block.Lanes))
            .Where(slot => writer.Used.Contains(slot.Name)).Select(slot => $"{slot.Name} = {slot.Offset}").ToArray();
        if (gradients.Length > 0)
        {
            lines.Add("// Where the pre-activation gradients of a block sit within the block's gradients, laid out like the bias (floats).");
            lines.Add($"const NUInt {string.Join(", ", gradients)};");
        }

        writer.InsertAt(position, lines);
    }

    /// <summary>The record slot of <paramref name="slot"/>: <c>record + ForgetGateSlot</c>.</summary>
    public static string RecordOffset(SourceWriter writer, string slot)
    {
        writer.Used.Add(slot + "Slot");
        return $"record + {slot}Slot";
    }

    /// <summary>The gradient slot of accumulator <paramref name="accumulator"/>: <c>slots + ForgetGateGradient</c>.</summary>
    public static string GradientOffset(SourceWriter writer, LayerPlan layer, int accumulator)
    {
        string name = layer.Cell.Accumulators[accumulator].Name + "Gradient";
        writer.Used.Add(name);
        return $"slots + {name}";
    }

    /// <summary>
    /// Writes the step of a single-pass cell (LSTM, reset-after GRU, RNN): register tiles whose accumulators start
    /// at the bias and take <c>W_ih x</c> (or start from the step's projection row) and <c>W_hh h</c>; then
    /// <paramref name="finishTile"/> turns a tile's accumulators into the new h, written to <c>next</c>. With several
    /// tiles, <c>next</c> is a scratch vector copied over h at the end, since every tile still reads the old h; with
    /// one, the old h has been read in full before the first write, so <c>next</c> is h itself. A stream view of the
    /// layer (<see cref="LayerPlan.StreamView"/>) gets the batched kernel with the same finish (<see cref="StreamTileWriter"/>).
    /// </summary>
    public static void SinglePassStep(SourceWriter writer, LayerPlan layer, StepVariant variant, Action<TileShape> finishTile)
    {
        if (layer.Streams > 1)
        {
            StreamTileWriter.Emit(writer, layer, finishTile);
            return;
        }

        WeightSegment recurrent = layer.Segment("RecurrentWeights");
        // The projected variant gets b + W_ih x ready-made: neither the input weights nor the bias are its to read.
        // Diagonal segments (an LSTM's peepholes) are the cell's to read in finishTile; a projection runs after the tiles.
        WeightSegment[] others = layer.Segments.Where(segment => segment.Source is SegmentSource.Diagonal or SegmentSource.Projection).ToArray();
        WeightSegment[] segments = (variant == StepVariant.FromProjection ? new[] { recurrent } : new[] { layer.InputWeights, recurrent }).Concat(others).ToArray();
        WeightSegment? projection = others.FirstOrDefault(segment => segment.Source == SegmentSource.Projection);
        StepKernel(writer, layer, variant, segments, () =>
        {
            if (projection is not null)
            {
                StackScratch(writer, "next", layer.PaddedSize, "The cell's output m waits here: h = W_hr m needs all of it, and every tile still reads the old h.");
            }
            else if (layer.IsSingleTile)
            {
                writer.Line("// One tile reads all of the old h before it writes any of the new, so the new h goes straight to h.");
                writer.Line("ref float next = ref hidden;");
            }
            else
            {
                StackScratch(writer, "next", layer.PaddedSize, "The new h waits here: every tile still reads the old h.");
            }

            writer.Line();
            int[] all = Enumerable.Range(0, layer.Cell.Accumulators.Count).ToArray();
            Tiles(writer, layer.StepTiles, layer.Size, blocks =>
            {
                StartAccumulators(writer, layer, blocks, all, variant);
                MultiplyAccumulate(writer, layer, recurrent, "hidden", blocks);
                finishTile(TileShape.OfBlocks(blocks));
            });
            if (projection is not null)
            {
                writer.Line();
                Project(writer, layer, projection, "next", "hidden");
            }
            else if (!layer.IsSingleTile)
            {
                writer.Line();
                writer.Line($"nextBuffer.CopyTo(MemoryMarshal.CreateSpan(ref hidden, {layer.PaddedSize}));");
            }
        });
    }

    /// <summary>
    /// The projection after a step's tiles, <c>h = W_hr m</c> (PyTorch's <c>proj_size</c>): register tiles over h's
    /// blocks, each unit of <paramref name="source"/> broadcast once into every block of the tile, no bias. The old h
    /// has been read in full by then, so the new h goes straight to <paramref name="target"/>. When recording, m goes
    /// to the trace first, for the projection's backward pass.
    /// </summary>
    public static void Project(SourceWriter writer, LayerPlan layer, WeightSegment projection, string source, string target)
    {
        TraceArray recorded = layer.Cell.TraceArrays.Single(array => array.Name == projection.Intermediate);
        using (writer.Block("if (TTrace.IsRecording)"))
        {
            writer.Line($"{source}Buffer.CopyTo(MemoryMarshal.CreateSpan(ref {recorded.Parameter}, {layer.PaddedSize}));");
        }

        writer.Line();
        string symbol = layer.Hidden.Symbol;
        Tiles(writer, layer.ProjectionTiles, layer.HiddenWidth, blocks =>
        {
            writer.Line($"// Accumulators {symbol} for each block of the tile, starting at zero: the projection has no bias.");
            for (int block = 0; block < blocks; block++)
            {
                writer.Line($"TBlock {symbol}{block} = TBlock.Broadcast(0f);");
            }

            MultiplyAccumulate(writer, layer, projection, source, blocks);
            for (int block = 0; block < blocks; block++)
            {
                writer.Line($"TBlock.Store({symbol}{block}, ref {target}, {Units(block)});");
            }
        });
    }

    /// <summary>
    /// Declares the tile's accumulators <paramref name="slots"/>: from the bias followed by <c>W_ih x</c>, or, from a
    /// projection, from the step's row, which holds exactly that sum.
    /// </summary>
    public static void StartAccumulators(SourceWriter writer, LayerPlan layer, int blocks, IReadOnlyList<int> slots, StepVariant variant)
    {
        if (variant == StepVariant.FromProjection)
        {
            AccumulatorsFrom(writer, layer, blocks, slots, "b + W_ih x", "ref projection", null);
        }
        else
        {
            AccumulatorsFromBias(writer, layer, blocks, slots);
            if (layer.ClampsInput)
            {
                writer.Line("// Inputs saturate at ±1e30 (see Saturation) as they are broadcast: ±Inf cannot turn a dot product into Inf - Inf.");
            }

            MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks, saturate: layer.ClampsInput);
        }
    }

    /// <summary>Declares the tile's accumulators <paramref name="slots"/>, each starting at its bias.</summary>
    public static void AccumulatorsFromBias(SourceWriter writer, LayerPlan layer, int blocks, IReadOnlyList<int> slots)
        => AccumulatorsFrom(writer, layer, blocks, slots, "the bias", "ref weights", "Bias");

    /// <summary>Declares the accumulators from a buffer laid out like the bias, <c>[block][slot][lane]</c>, at <paramref name="start"/>.</summary>
    private static void AccumulatorsFrom(SourceWriter writer, LayerPlan layer, int blocks, IReadOnlyList<int> slots, string what, string buffer, string? start)
    {
        int blockStride = layer.BiasBlockStride;
        IReadOnlyList<Accumulator> accumulators = layer.Cell.Accumulators;
        writer.Line($"// Accumulators {string.Join(", ", slots.Select(slot => accumulators[slot].Symbol))} for each block of the tile, starting at {what}.");
        for (int block = 0; block < blocks; block++)
        {
            foreach (int slot in slots)
            {
                string offset = Sum(start, $"(block * {blockStride})", (block * blockStride) + (slot * Block.Lanes));
                writer.Line($"TBlock {accumulators[slot].Symbol}{block} = TBlock.Load({buffer}, {offset});");
            }
        }
    }

    /// <summary>
    /// Writes one pass over the blocks of <paramref name="groups"/>; <paramref name="tileBody"/> writes a tile's code
    /// given its block count, with <c>block</c> its first block.
    /// </summary>
    public static void Tiles(SourceWriter writer, IEnumerable<TileGroup> groups, int units, Action<int> tileBody)
    {
        foreach (TileGroup group in groups)
        {
            int lastUnit = Math.Min(units, (group.FirstBlock + (group.Count * group.BlocksPerTile)) * Block.Lanes);
            string tiles = group.Count == 1 ? "One tile" : $"{group.Count} tiles";
            string blocks = group.BlocksPerTile == 1 ? "1 block" : $"{group.BlocksPerTile} blocks";
            writer.Line($"// {tiles} of {blocks} ({group.BlocksPerTile * Block.Lanes} lanes): units {group.FirstBlock * Block.Lanes}–{lastUnit - 1}.");
            if (group.Count == 1)
            {
                using (writer.Block())
                {
                    writer.Line($"const NUInt block = {group.FirstBlock};");
                    tileBody(group.BlocksPerTile);
                }
            }
            else
            {
                using (writer.Block($"for (NUInt tile = 0; tile < {group.Count}; tile++)"))
                {
                    writer.Line($"NUInt block = {TileStart(group)};");
                    tileBody(group.BlocksPerTile);
                }
            }
        }
    }

    /// <summary>
    /// Accumulates <c>segment × source</c> into the tile's accumulators: one broadcast of each source feature feeds
    /// every gate of every block in the tile.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="segment">The weight segment.</param>
    /// <param name="source">The features' <c>ref float</c>.</param>
    /// <param name="blocks">Blocks in the tile.</param>
    /// <param name="saturate">Whether each feature is saturated as it is broadcast (the model's raw input; see <see cref="LayerPlan.ClampsInput"/>).</param>
    public static void MultiplyAccumulate(SourceWriter writer, LayerPlan layer, WeightSegment segment, string source, int blocks, bool saturate = false)
    {
        string gates = string.Join(", ", Outputs(layer, segment));
        writer.Line($"// {segment.Equation}: each feature k, broadcast once, feeds {gates} of every block in the tile.");
        RowPass(writer, segment.Rows, () => RowBody(writer, layer, segment, source, blocks, saturate));
    }

    /// <summary>
    /// A pass over <paramref name="rows"/> rows, <c>k</c> the row: unrolled up to <see cref="UnrollRows"/> rows, each in
    /// a scope of its own with <c>k</c> a constant; a loop with a constant trip count beyond.
    /// </summary>
    public static void RowPass(SourceWriter writer, int rows, Action body)
    {
        if (rows <= UnrollRows)
        {
            for (int row = 0; row < rows; row++)
            {
                using (writer.Block())
                {
                    writer.Line($"const NUInt k = {row};");
                    body();
                }
            }
        }
        else
        {
            using (writer.Block($"for (NUInt k = 0; k < {rows}; k++)"))
            {
                body();
            }
        }
    }

    private static void RowBody(SourceWriter writer, LayerPlan layer, WeightSegment segment, string source, int blocks, bool saturate)
    {
        writer.Line(saturate
            ? $"TBlock feature = TBlock.Broadcast(Saturation.Clamp(Unsafe.Add(ref {source}, k)));"
            : $"TBlock feature = TBlock.Broadcast(Unsafe.Add(ref {source}, k));");
        writer.Line($"NUInt row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
        IReadOnlyList<string> outputs = Outputs(layer, segment);
        for (int block = 0; block < blocks; block++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                string accumulator = outputs[gate] + block;
                writer.Line($"{accumulator} = TBlock.MultiplyAdd(feature, ref weights, {Sum("row", null, (block * segment.BlockStride) + (gate * Block.Lanes))}, {accumulator});");
            }
        }
    }

    /// <summary>
    /// Writes a tile's lane-wise work two blocks at a time (the last alone when the count is odd), so that
    /// <see cref="BlockGroup.Activate"/> can hand both blocks to one activation call.
    /// </summary>
    public static void BlockGroups(SourceWriter writer, int blocks, string comment, Action<BlockGroup> body)
        => BlockGroups(writer, TileShape.OfBlocks(blocks), comment, body);

    /// <summary>
    /// Writes a tile's lane-wise work two members at a time (the last alone when the count is odd): two blocks, or in a
    /// batched kernel one block of two streams, whose activations <see cref="BlockGroup.Activate"/> hands to one call.
    /// </summary>
    public static void BlockGroups(SourceWriter writer, TileShape tile, string comment, Action<BlockGroup> body)
    {
        for (int first = 0; first < tile.Count; first += 2)
        {
            int count = Math.Min(2, tile.Count - first);
            writer.Line(tile.Streams > 1
                ? $"// Block {tile.BlockOf(first)} of the tile in streams {first % tile.Streams} and {(first % tile.Streams) + 1}, their activations in one call: {comment}"
                : count == 2
                    ? $"// Blocks {first} and {first + 1} of the tile, their activations in one call: {comment}"
                    : $"// Block {first} of the tile: {comment}");
            using (writer.Block())
            {
                writer.Line($"NUInt units = {tile.UnitsOf(first)};");
                body(new BlockGroup(writer, tile, first, count));
            }
        }
    }

    /// <summary>The first unit of the tile's block <paramref name="block"/>: <c>block * 8</c>, <c>(block + 1) * 8</c>.</summary>
    public static string Units(int block) => block == 0 ? $"block * {Block.Lanes}" : $"(block + {block}) * {Block.Lanes}";

    /// <summary>A scratch vector of <paramref name="floats"/> floats on the stack, and a reference to its start.</summary>
    public static void StackScratch(SourceWriter writer, string name, int floats, string why)
        => StackScratch(writer, name, floats.ToString(CultureInfo.InvariantCulture), why);

    /// <summary>A scratch vector on the stack whose length is the C# expression <paramref name="length"/>, and a reference to its start.</summary>
    public static void StackScratch(SourceWriter writer, string name, string length, string why)
    {
        writer.Line($"// {why}");
        writer.Line($"global::System.Span<float> {name}Buffer = stackalloc float[{length}];");
        writer.Line($"ref float {name} = ref MemoryMarshal.GetReference({name}Buffer);");
    }

    /// <summary>When recording, stores the tile block's values for the backward pass, from record slot <paramref name="firstSlot"/> on; nothing in a batched kernel.</summary>
    public static void Record(SourceWriter writer, LayerPlan layer, int block, int firstSlot, params string[] values)
    {
        if (layer.Streams > 1)
        {
            // The batched kernels only run inference.
            return;
        }

        using (writer.Block("if (TTrace.IsRecording)"))
        {
            writer.Line($"NUInt record = {(block == 0 ? "block" : $"(block + {block})")} * {layer.RecordBlockStride};");
            for (int slot = 0; slot < values.Length; slot++)
            {
                writer.Line($"TBlock.Store({values[slot]}, ref gates, {RecordOffset(writer, layer.Cell.TraceSlots[firstSlot + slot])});");
            }
        }
    }

    /// <summary>The block expression of an activation: <c>TBlock.Tanh(x)</c>; identity returns <paramref name="value"/>.</summary>
    public static string Activate(Activation activation, string value) => activation switch
    {
        Activation.Tanh => $"TBlock.Tanh({value})",
        Activation.Sigmoid => $"TBlock.Sigmoid({value})",
        Activation.Relu => $"TBlock.Relu({value})",
        _ => value,
    };

    /// <summary>The first block (or row) of tile <c>tile</c> of <paramref name="group"/>: <c>tile * 2</c>, <c>3 + (tile * 2)</c>, or <c>tile</c>.</summary>
    public static string TileStart(TileGroup group)
    {
        string scaled = group.BlocksPerTile == 1 ? "tile" : $"tile * {group.BlocksPerTile}";
        return group.FirstBlock == 0 ? scaled : $"{group.FirstBlock} + {(group.BlocksPerTile == 1 ? scaled : $"({scaled})")}";
    }

    /// <summary><paramref name="start"/> + <paramref name="scaled"/> + <paramref name="constant"/>, leaving out the terms that are absent or zero.</summary>
    public static string Sum(string? start, string? scaled, int constant)
    {
        var terms = new List<string>();
        if (start is not null)
        {
            terms.Add(start);
        }

        if (scaled is not null)
        {
            terms.Add(scaled);
        }

        if (constant != 0 || terms.Count == 0)
        {
            terms.Add(constant.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(" + ", terms);
    }
}

/// <summary>
/// One or two consecutive blocks of a tile, written by <c>KernelWriter.BlockGroups</c>. Each block's values
/// are named with its index in the tile (<c>inputGate0</c>, <c>inputGate1</c>) and its lanes start at
/// <see cref="Units"/>.
/// </summary>
internal sealed class BlockGroup
{
    private readonly SourceWriter _writer;
    private readonly TileShape _tile;

    public BlockGroup(SourceWriter writer, TileShape tile, int first, int count)
    {
        _writer = writer;
        _tile = tile;
        Blocks = Enumerable.Range(first, count).ToArray();
    }

    /// <summary>The members' indices within the tile (see <see cref="TileShape"/>): its blocks, in a single-stream kernel.</summary>
    public IReadOnlyList<int> Blocks { get; }

    /// <summary>The first lane of <paramref name="block"/> relative to the scope's <c>units</c>.</summary>
    public string Units(int block) => _tile.UnitsFrom(Blocks[0], block);

    /// <summary>The tile block whose weights member <paramref name="block"/> uses.</summary>
    public int TileBlock(int block) => _tile.BlockOf(block);

    /// <summary>
    /// Declares <c>{result}{block}</c> = <paramref name="function"/>(<paramref name="argument"/>(block)) for every
    /// block, as one call for a pair.
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
