using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes the input projection that <c>Forward</c> hoists out of the recurrence (see <see cref="InputProjectionPlan"/>):
/// for a chunk of steps, the first layer's <c>b + W_ih x</c>, one row per step laid out like the bias
/// (<c>[block][accumulator][lane]</c>), from which the <see cref="StepVariant.FromProjection"/> kernels start.
/// </summary>
/// <remarks>
/// The projection does not depend on the state, so steps can share weight loads: a tile keeps the accumulators of
/// <see cref="InputProjectionPlan.StepsPerTile"/> steps and every weight vector, loaded once, feeds all of them. In
/// the step kernel each weight vector feeds one FMA, so the loads, not the FMAs, set the pace. Each accumulator sees
/// the same operations in the same order as in the step kernel (bias, then the features in order, each a fused
/// multiply-add where the hardware has it), so <c>Forward</c> returns exactly what the same number of <c>Step</c>
/// calls return.
/// </remarks>
internal static class InputProjectionWriter
{
    public static string KernelName(LayerPlan layer) => $"{layer.KernelName}Project";

    public static void Emit(SourceWriter writer, LayerPlan layer, InputProjectionPlan projection)
    {
        writer.Line($"/// <summary>Layer {layer.Index}'s input projection: row s of <paramref name=\"projection\"/> receives b + W_ih x_s for each of <paramref name=\"steps\"/> saturated inputs.</summary>");
        KernelWriter.Signature(writer, $"private static void {KernelName(layer)}<TBlock>(ref float weights, ref float inputs, NInt steps, ref float projection)", traced: false);
        using (writer.Block())
        {
            KernelWriter.LayoutConstants(writer, layer, new[] { layer.InputWeights }, bias: true);
            writer.Line($"const NInt RowFloats = {projection.RowFloats};");
            writer.Line();
            writer.Line("NInt step = 0;");
            int steps = InputProjectionPlan.StepsPerTile;
            writer.Line($"// {steps} steps at a time: each weight vector, loaded once, feeds the {steps} steps' accumulators.");
            using (writer.Block($"for (; step + {steps} <= steps; step += {steps})"))
            {
                StepsBody(writer, layer, projection.MultiStepTiles, steps);
            }

            writer.Line();
            writer.Line("// The last steps one at a time.");
            using (writer.Block("for (; step < steps; step++)"))
            {
                StepsBody(writer, layer, projection.SingleStepTiles, 1);
            }
        }
    }

    private static void StepsBody(SourceWriter writer, LayerPlan layer, IEnumerable<TileGroup> tiles, int steps)
    {
        WeightSegment segment = layer.InputWeights;
        IReadOnlyList<Accumulator> accumulators = layer.Cell.Accumulators;
        int biasStride = layer.BiasBlockStride;
        writer.Line("ref float x = ref Unsafe.Add(ref inputs, step * InputSize);");
        writer.Line("ref float rows = ref Unsafe.Add(ref projection, step * RowFloats);");

        // Accumulators without input weights (the reset-after GRU's W_hn h + b_hn) start at their bias.
        int[] biasOnly = Enumerable.Range(0, layer.Cell.BiasSlots).Where(slot => !segment.Targets.Contains(slot)).ToArray();
        if (biasOnly.Length > 0)
        {
            writer.Line($"// {string.Join(", ", biasOnly.Select(slot => accumulators[slot].Symbol))} takes no input: its row entries are its bias.");
            using (writer.Block($"for (NUInt block = 0; block < {layer.Blocks}; block++)"))
            {
                foreach (int slot in biasOnly)
                {
                    string name = accumulators[slot].Symbol;
                    writer.Line($"TBlock {name} = TBlock.Load(ref weights, {KernelWriter.Sum("Bias", $"(block * {biasStride})", slot * Block.Lanes)});");
                    for (int s = 0; s < steps; s++)
                    {
                        writer.Line($"TBlock.Store({name}, ref rows, {KernelWriter.Sum(RowStart(s), $"(block * {biasStride})", slot * Block.Lanes)});");
                    }
                }
            }
        }

        KernelWriter.Tiles(writer, tiles, layer.Size, blocks =>
        {
            var stored = new List<(string Name, int Block, int Slot, int Step)>();
            writer.Line($"// Accumulators {string.Join(", ", segment.Targets.Select(target => accumulators[target].Symbol))} of each block and step, starting at the bias.");
            for (int block = 0; block < blocks; block++)
            {
                foreach (int slot in segment.Targets)
                {
                    for (int s = 0; s < steps; s++)
                    {
                        string name = $"{accumulators[slot].Symbol}{block}s{s}";
                        stored.Add((name, block, slot, s));
                        writer.Line(s == 0
                            ? $"TBlock {name} = TBlock.Load(ref weights, {KernelWriter.Sum("Bias", $"(block * {biasStride})", (block * biasStride) + (slot * Block.Lanes))});"
                            : $"TBlock {name} = {accumulators[slot].Symbol}{block}s0;");
                    }
                }
            }

            writer.Line($"// {segment.Equation}: each weight vector feeds {(steps == 1 ? "the step" : $"all {steps} steps")}.");
            using (writer.Block($"for (NUInt k = 0; k < {segment.Rows}; k++)"))
            {
                for (int s = 0; s < steps; s++)
                {
                    writer.Line($"TBlock feature{s} = TBlock.Broadcast(Unsafe.Add(ref x, {(s == 0 ? "k" : $"{Scaled("InputSize", s)} + k")}));");
                }

                writer.Line($"NUInt row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
                for (int block = 0; block < blocks; block++)
                {
                    for (int gate = 0; gate < segment.GatesPerRow; gate++)
                    {
                        string symbol = accumulators[segment.Targets[gate]].Symbol;
                        writer.Line($"TBlock weight{block}{symbol} = TBlock.Load(ref weights, {KernelWriter.Sum("row", null, (block * segment.BlockStride) + (gate * Block.Lanes))});");
                        for (int s = 0; s < steps; s++)
                        {
                            string name = $"{symbol}{block}s{s}";
                            writer.Line($"{name} = TBlock.MultiplyAdd(feature{s}, weight{block}{symbol}, {name});");
                        }
                    }
                }
            }

            writer.Line("// Each step's row, laid out like the bias.");
            foreach ((string name, int block, int slot, int s) in stored)
            {
                writer.Line($"TBlock.Store({name}, ref rows, {KernelWriter.Sum(RowStart(s), $"(block * {biasStride})", (block * biasStride) + (slot * Block.Lanes))});");
            }
        });
    }

    /// <summary>Where step <paramref name="step"/> of the tile's group starts within <c>rows</c>: nothing for the first.</summary>
    private static string? RowStart(int step) => step == 0 ? null : Scaled("RowFloats", step);

    /// <summary><c>(NUInt)(name * factor)</c>, as an offset: <c>(NUInt)name</c> for 1.</summary>
    private static string Scaled(string name, int factor) => factor == 1 ? $"(NUInt){name}" : $"(NUInt)({name} * {factor})";
}
