using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes a layer's batched step kernel: one step of <see cref="LayerPlan.Streams"/> streams at once
/// (see <see cref="LayerPlan.StreamView"/>). A tile holds its blocks' accumulators for every stream, so each weight
/// vector is loaded once for all of them: at batch 1 a weight feeds one FMA and the loads set the pace (from L2, once
/// the weights outgrow L1); here it feeds one per stream.
/// </summary>
/// <remarks>
/// Each stream's accumulators see the operations of its own single-stream step in the same order (the bias, the
/// input features, then h, each a fused multiply-add where the hardware has it), and each stream's lane-wise work is
/// the cell's own tile finish, so every stream's results are those of its own <c>Step</c> to the bit. Stream
/// <c>s</c>'s state starts <c>s * StateFloats</c> floats after the first's, its input <c>s * inputStride</c> floats
/// after the first's. The batched kernels run inference only: they record nothing for a backward pass.
/// </remarks>
internal static class StreamTileWriter
{
    public static void Emit(SourceWriter writer, LayerPlan layer, Action<TileShape> finishTile)
    {
        int streams = layer.Streams;
        WeightSegment recurrent = layer.Segment("RecurrentWeights");
        WeightSegment[] diagonal = layer.Segments.Where(segment => segment.Source == SegmentSource.Diagonal).ToArray();
        WeightSegment[] segments = new[] { layer.InputWeights, recurrent }.Concat(diagonal).ToArray();
        string input = layer.Index == 0 ? "the model's input row" : "the layer below's h";
        writer.Line($"/// <summary>Layer {layer.Index}, {layer.Describe()}: {layer.Cell.StepSummary(layer)} for {streams} streams at once, each reading {input} <paramref name=\"inputStride\"/> floats after the last's; each weight vector is loaded once for the {streams}.</summary>");
        KernelWriter.Signature(writer, $"public static void {layer.KernelName}<TBlock>(ref float weights, ref float input, NInt inputStride, ref float state)", traced: false);
        using (writer.Block())
        {
            KernelWriter.LayoutConstants(writer, layer, segments, bias: true);
            SourceWriter.Position slots = writer.Mark();
            writer.Line();
            writer.Line("// Each stream's input and state vectors.");
            for (int stream = 0; stream < streams; stream++)
            {
                writer.Line($"ref float {StreamInput(stream)} = ref {Offset("input", stream == 0 ? null : Scaled("inputStride", stream))};");
                foreach (StateVector vector in layer.StateVectors)
                {
                    writer.Line($"ref float {StreamVector(vector, stream)} = ref {Offset("state", StateOffset(stream, vector.Offset))};");
                }
            }

            if (!layer.IsSingleTile)
            {
                writer.Line();
                KernelWriter.StackScratch(writer, "newHidden", $"{(streams == 2 ? "StateFloats" : $"({streams - 1} * StateFloats)")} + {layer.PaddedSize}", "The new h of each stream waits here, StateFloats apart as the states are: every tile still reads the old h.");
            }

            writer.Line();
            KernelWriter.Tiles(writer, layer.StepTiles, layer.Size, blocks =>
            {
                StartAccumulators(writer, layer, blocks);
                if (layer.Index == 0)
                {
                    writer.Line("// Inputs saturate at ±1e30 (see Saturation) as they are broadcast: ±Inf cannot turn a dot product into Inf - Inf.");
                }

                MultiplyAccumulate(writer, layer, layer.InputWeights, StreamInput, blocks, saturate: layer.Index == 0);
                MultiplyAccumulate(writer, layer, recurrent, stream => StreamVector(layer.Hidden, stream), blocks, saturate: false);
                Finish(writer, layer, blocks, finishTile);
            });

            if (!layer.IsSingleTile)
            {
                writer.Line();
                for (int stream = 0; stream < streams; stream++)
                {
                    string start = stream == 0 ? "0" : stream == 1 ? "StateFloats" : $"{stream} * StateFloats";
                    writer.Line($"newHiddenBuffer.Slice({start}, {layer.PaddedSize}).CopyTo(MemoryMarshal.CreateSpan(ref {StreamVector(layer.Hidden, stream)}, {layer.PaddedSize}));");
                }
            }

            KernelWriter.SlotConstants(writer, slots, layer);
        }

        writer.WriteDeferred();
    }

    /// <summary>Declares every stream's accumulators: the first stream's from the bias, the others' as copies of them.</summary>
    private static void StartAccumulators(SourceWriter writer, LayerPlan layer, int blocks)
    {
        IReadOnlyList<Accumulator> accumulators = layer.Cell.Accumulators;
        writer.Line($"// Accumulators {string.Join(", ", accumulators.Select(accumulator => accumulator.Symbol))} of each block and stream (i0s1: i of block 0, stream 1), starting at the bias.");
        for (int block = 0; block < blocks; block++)
        {
            for (int slot = 0; slot < accumulators.Count; slot++)
            {
                string symbol = accumulators[slot].Symbol;
                for (int stream = 0; stream < layer.Streams; stream++)
                {
                    writer.Line(stream == 0
                        ? $"TBlock {Name(symbol, block, 0)} = TBlock.Load(ref weights, {KernelWriter.Sum("Bias", $"(block * {layer.BiasBlockStride})", (block * layer.BiasBlockStride) + (slot * Block.Lanes))});"
                        : $"TBlock {Name(symbol, block, stream)} = {Name(symbol, block, 0)};");
                }
            }
        }
    }

    /// <summary>Accumulates <c>segment × source</c> for every stream: each weight vector, loaded once, feeds each stream's FMA.</summary>
    private static void MultiplyAccumulate(SourceWriter writer, LayerPlan layer, WeightSegment segment, Func<int, string> source, int blocks, bool saturate)
    {
        string gates = string.Join(", ", segment.Targets.Select(target => layer.Cell.Accumulators[target].Symbol));
        writer.Line($"// {segment.Equation}: each stream's feature k, broadcast once, feeds its {gates} of every block; each weight vector feeds every stream.");
        KernelWriter.RowPass(writer, segment.Rows, () => RowBody(writer, layer, segment, source, blocks, saturate));
    }

    private static void RowBody(SourceWriter writer, LayerPlan layer, WeightSegment segment, Func<int, string> source, int blocks, bool saturate)
    {
        for (int stream = 0; stream < layer.Streams; stream++)
        {
            string feature = $"Unsafe.Add(ref {source(stream)}, k)";
            writer.Line($"TBlock feature{stream} = TBlock.Broadcast({(saturate ? $"Saturation.Clamp({feature})" : feature)});");
        }

        writer.Line($"NUInt row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
        for (int block = 0; block < blocks; block++)
        {
            for (int gate = 0; gate < segment.GatesPerRow; gate++)
            {
                string symbol = layer.Cell.Accumulators[segment.Targets[gate]].Symbol;
                string weight = $"weight{block}{symbol}";
                writer.Line($"TBlock {weight} = TBlock.Load(ref weights, {KernelWriter.Sum("row", null, (block * segment.BlockStride) + (gate * Block.Lanes))});");
                for (int stream = 0; stream < layer.Streams; stream++)
                {
                    string name = Name(symbol, block, stream);
                    writer.Line($"{name} = TBlock.MultiplyAdd(feature{stream}, {weight}, {name});");
                }
            }
        }
    }

    /// <summary>
    /// The tile's lane-wise work: the cell's own tile finish over every block of every stream (<see cref="TileShape"/>),
    /// in a scope where h, the other state vectors and <c>next</c> are the first stream's (the others' lanes are
    /// <c>StateFloats</c> further on) and where each member's accumulators have the names the finish uses.
    /// </summary>
    private static void Finish(SourceWriter writer, LayerPlan layer, int blocks, Action<TileShape> finishTile)
    {
        TileShape tile = TileShape.OfStreams(blocks, layer.Streams);
        writer.Line("// The cell's lane-wise work on every block of every stream; stream s's lanes are s * StateFloats on from stream 0's.");
        using (writer.Block())
        {
            foreach (StateVector vector in layer.StateVectors)
            {
                writer.Line($"ref float {vector.Parameter} = ref {StreamVector(vector, 0)};");
            }

            writer.Line(layer.IsSingleTile ? "ref float next = ref hidden;" : "ref float next = ref newHidden;");
            for (int member = 0; member < tile.Count; member++)
            {
                int block = tile.BlockOf(member), stream = member % tile.Streams;
                writer.Line(string.Join(" ", layer.Cell.Accumulators.Select(accumulator => $"TBlock {accumulator.Symbol}{member} = {Name(accumulator.Symbol, block, stream)};")));
            }

            finishTile(tile);
        }
    }

    /// <summary>An accumulator of one block and stream: <c>i0s1</c>.</summary>
    private static string Name(string symbol, int block, int stream) => $"{symbol}{block}s{stream}";

    private static string StreamInput(int stream) => $"input{stream}";

    private static string StreamVector(StateVector vector, int stream) => $"{vector.Parameter}{stream}";

    private static string? StateOffset(int stream, int offset)
    {
        string? streams = stream == 0 ? null : Scaled("StateFloats", stream);
        return offset == 0 ? streams : streams is null ? offset.ToString(System.Globalization.CultureInfo.InvariantCulture) : stream == 1 ? $"{streams} + {offset}" : $"({streams}) + {offset}";
    }

    private static string Offset(string reference, string? offset) => offset is null ? reference : $"Unsafe.Add(ref {reference}, {offset})";

    private static string Scaled(string name, int factor) => factor == 1 ? name : $"{factor} * {name}";
}
