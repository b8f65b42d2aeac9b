using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes the input projection that <c>Forward</c> hoists out of the recurrence: for a chunk of steps,
/// the first layer's <c>b + W_ih x</c>, one row per step laid out like the bias
/// (<c>[block][accumulator][lane]</c>), from which the <c>Projected</c> kernel variants start.
/// </summary>
/// <remarks>
/// The projection does not depend on the state, so steps can share weight loads: a tile keeps the
/// accumulators of <see cref="StepsPerTile"/> steps and every weight vector, loaded once, feeds all of
/// them. In the step kernel each weight vector feeds one FMA, so the loads, not the FMAs, set the pace.
/// Each accumulator sees the same operations in the same order as in the step kernel (bias, then the
/// features in order, each a fused multiply-add where the hardware has it), so <c>Forward</c> returns
/// exactly what the same number of <c>Step</c> calls return.
/// </remarks>
internal static class InputProjectionWriter
{
    /// <summary>Steps whose accumulators a tile holds at once: 3 keeps LSTM's 4 gates × 3 steps, 3 broadcasts and a weight within AVX2's 16 registers.</summary>
    public const int StepsPerTile = 3;

    /// <summary>Floats of stack a chunk may use for its saturated inputs and projection rows (32 KiB).</summary>
    private const int ChunkFloatBudget = 8192;

    public static string KernelName(LayerLayout layer) => $"{layer.KernelName}Project";

    /// <summary>Floats in one step's projection row.</summary>
    public static int RowFloats(LayerLayout layer) => layer.Blocks * layer.BiasSlots * LayerLayout.Lanes;

    /// <summary>Fewer input features than this are not worth hoisting (see <see cref="Applies"/>).</summary>
    private const int MinimumInputSize = 8;

    /// <summary>
    /// Whether <c>Forward</c> hoists <paramref name="layer"/>'s projection. It must be a recurrent first layer
    /// with at least <see cref="MinimumInputSize"/> features: with fewer, storing and reloading the projection
    /// row costs about what the few FMAs it saves did (in a one-off in-process timing: LSTM 1 → 16 Forward 4%
    /// slower hoisted, 8 → 32 even, 16 → 64 8% faster). And a tile's worth of steps must fit the stack budget:
    /// up to about 2,700 floats per step, an LSTM of 512 units or a reset-after GRU of 640 with few inputs,
    /// rather than hundreds of KiB of stack. Otherwise <c>Forward</c> runs <c>Step</c>'s core in a loop.
    /// </summary>
    public static bool Applies(LayerLayout layer)
        => layer.Index == 0
        && layer.Spec.IsRecurrent
        && layer.Spec.InputSize >= MinimumInputSize
        && (RowFloats(layer) + layer.Spec.InputSize) * StepsPerTile <= ChunkFloatBudget;

    /// <summary>Steps per chunk: a multiple of <see cref="StepsPerTile"/> whose scratch fits the budget.</summary>
    public static int ChunkSteps(LayerLayout layer)
    {
        int perStep = RowFloats(layer) + layer.Spec.InputSize;
        int steps = System.Math.Min(64, ChunkFloatBudget / perStep);
        return System.Math.Max(StepsPerTile, steps / StepsPerTile * StepsPerTile);
    }

    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        WeightSegment segment = layer.InputWeights;
        int rowFloats = RowFloats(layer);
        writer.Line($"/// <summary>Layer {layer.Index}'s input projection: row s of <paramref name=\"projection\"/> receives b + W_ih x_s for each of <paramref name=\"steps\"/> saturated inputs.</summary>");
        writer.Line($"private static void {KernelName(layer)}<TBlock>(ref float weights, ref float inputs, nint steps, ref float projection)");
        writer.Indent();
        writer.Line(KernelWriter.BlockConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            KernelWriter.WeightConstants(writer, layer, new[] { segment }, bias: true);
            writer.Line($"const nint RowFloats = {rowFloats};");
            writer.Line();
            writer.Line("nint step = 0;");
            writer.Line($"// {StepsPerTile} steps at a time: each weight vector, loaded once, feeds the {StepsPerTile} steps' accumulators.");
            using (writer.Block($"for (; step + {StepsPerTile} <= steps; step += {StepsPerTile})"))
            {
                StepsBody(writer, layer, StepsPerTile);
            }

            writer.Line();
            writer.Line("// The last steps one at a time.");
            using (writer.Block("for (; step < steps; step++)"))
            {
                StepsBody(writer, layer, 1);
            }
        }
    }

    private static void StepsBody(SourceWriter writer, LayerLayout layer, int steps)
    {
        WeightSegment segment = layer.InputWeights;
        int biasStride = layer.BiasSlots * LayerLayout.Lanes;
        writer.Line($"ref float x = ref {KernelWriter.Unsafe}.Add(ref inputs, step * InputSize);");
        writer.Line($"ref float rows = ref {KernelWriter.Unsafe}.Add(ref projection, step * RowFloats);");

        // Accumulators without input weights (the reset-after GRU's W_hn h + b_hn) start at their bias.
        int[] biasOnly = Enumerable.Range(0, layer.BiasSlots).Where(slot => !segment.Targets.Contains(slot)).ToArray();
        if (biasOnly.Length > 0)
        {
            string names = string.Join(", ", biasOnly.Select(slot => layer.Accumulators[slot]));
            writer.Line($"// {names} takes no input: its row entries are its bias.");
            using (writer.Block($"for (nuint block = 0; block < {layer.Blocks}; block++)"))
            {
                foreach (int slot in biasOnly)
                {
                    writer.Line($"TBlock {layer.Accumulators[slot]} = TBlock.Load(ref weights, Bias + (block * {biasStride}) + {slot * LayerLayout.Lanes});");
                    for (int s = 0; s < steps; s++)
                    {
                        writer.Line($"TBlock.Store({layer.Accumulators[slot]}, ref rows, {RowOffset(s)}(block * {biasStride}) + {slot * LayerLayout.Lanes});");
                    }
                }
            }
        }

        KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: segment.GatesPerRow * steps, blocks =>
        {
            var accumulators = new List<(string Name, int Block, int Slot, int Step)>();
            writer.Line($"// Accumulators {string.Join(", ", segment.Targets.Select(target => layer.Accumulators[target]))} of each block and step, starting at the bias.");
            for (int block = 0; block < blocks; block++)
            {
                foreach (int slot in segment.Targets)
                {
                    for (int s = 0; s < steps; s++)
                    {
                        string name = $"{layer.Accumulators[slot]}{block}s{s}";
                        accumulators.Add((name, block, slot, s));
                        writer.Line(s == 0
                            ? $"TBlock {name} = TBlock.Load(ref weights, Bias + (block * {biasStride}) + {(block * biasStride) + (slot * LayerLayout.Lanes)});"
                            : $"TBlock {name} = {layer.Accumulators[slot]}{block}s0;");
                    }
                }
            }

            writer.Line($"// {segment.Equation}: each weight vector feeds {(steps == 1 ? "the step" : $"all {steps} steps")}.");
            using (writer.Block($"for (nuint k = 0; k < {segment.Rows}; k++)"))
            {
                for (int s = 0; s < steps; s++)
                {
                    writer.Line($"TBlock feature{s} = TBlock.Broadcast({KernelWriter.Unsafe}.Add(ref x, {(s == 0 ? "k" : $"(nuint)(InputSize * {s}) + k")}));");
                }

                writer.Line($"nuint row = {segment.Name} + (block * {segment.BlockStride}) + (k * {segment.RowStride});");
                for (int block = 0; block < blocks; block++)
                {
                    for (int gate = 0; gate < segment.GatesPerRow; gate++)
                    {
                        int slot = segment.Targets[gate];
                        writer.Line($"TBlock weight{block}{layer.Accumulators[slot]} = TBlock.Load(ref weights, row + {(block * segment.BlockStride) + (gate * LayerLayout.Lanes)});");
                        for (int s = 0; s < steps; s++)
                        {
                            string name = $"{layer.Accumulators[slot]}{block}s{s}";
                            writer.Line($"{name} = TBlock.MultiplyAdd(feature{s}, weight{block}{layer.Accumulators[slot]}, {name});");
                        }
                    }
                }
            }

            writer.Line("// Each step's row, laid out like the bias.");
            foreach ((string name, int block, int slot, int s) in accumulators)
            {
                writer.Line($"TBlock.Store({name}, ref rows, {RowOffset(s)}(block * {biasStride}) + {(block * biasStride) + (slot * LayerLayout.Lanes)});");
            }
        });
    }

    private static string RowOffset(int step) => step == 0 ? string.Empty : $"(nuint)(RowFloats * {step}) + ";
}
