using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits the <c>Trace</c> class: everything a recording forward pass keeps for <c>Backward</c>, and the backward
/// pass's own per-step buffers, all allocated once for up to a chosen number of steps.
/// </summary>
internal static class TraceEmitter
{
    private const string Allocate = "global::FixedRnn.Numerics.TraceBuffer.Allocate";

    public static void Emit(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>");
        writer.Line("/// What a recording <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float}, Trace)\"/>");
        writer.Line("/// keeps for <see cref=\"Backward\"/>: the inputs, every layer's states before and after each step and");
        writer.Line("/// its gate activations, plus the backward pass's per-step gradients. Allocated once for up to");
        writer.Line("/// <see cref=\"MaxSteps\"/> steps, so training allocates nothing afterwards.");
        writer.Line("/// </summary>");
        writer.Line(SourceFile.GeneratedCode);
        using (writer.Block("public sealed class Trace"))
        {
            writer.Line("/// <summary>Allocates a trace for windows of up to <paramref name=\"maxSteps\"/> steps.</summary>");
            writer.Line("/// <param name=\"maxSteps\">The longest window it records, at least 1.</param>");
            using (writer.Block("public Trace(int maxSteps)"))
            {
                writer.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);");
                writer.Line("MaxSteps = maxSteps;");
                writer.Line($"Inputs = {Allocate}(maxSteps, InputSize);");
                foreach (LayerPlan layer in plan.Layers)
                {
                    foreach (StateVector vector in layer.StateVectors)
                    {
                        writer.Line($"{vector.Name}{layer.Index} = {Allocate}(maxSteps + 1, {layer.PaddedSize});");
                    }

                    foreach (TraceArray array in layer.Cell.TraceArrays)
                    {
                        writer.Line($"{array.Name}{layer.Index} = {Allocate}(maxSteps, {layer.PaddedSize});");
                    }

                    if (layer.IsRecurrent)
                    {
                        writer.Line($"OutputGradients{layer.Index} = {Allocate}(maxSteps, {layer.PaddedSize});");
                    }

                    if (layer.Records)
                    {
                        writer.Line($"Gates{layer.Index} = {Allocate}(maxSteps, {layer.RecordStride});");
                    }

                    writer.Line($"GateGradients{layer.Index} = {Allocate}(maxSteps, {layer.GradientStride});");
                }
            }

            writer.Line();
            writer.Line("/// <summary>The longest window this trace records.</summary>");
            writer.Line("public int MaxSteps { get; }");
            writer.Line();
            writer.Line("/// <summary>Steps the last recording forward pass recorded.</summary>");
            writer.Line("public int Steps { get; internal set; }");
            writer.Line();
            writer.Line("/// <summary>The recorded inputs, <c>[steps][InputSize]</c>.</summary>");
            writer.Line("internal readonly float[] Inputs;");
            foreach (LayerPlan layer in plan.Layers)
            {
                writer.Line();
                writer.Line($"// Layer {layer.Index}, {layer.Describe()}.");
                foreach (StateVector vector in layer.StateVectors)
                {
                    writer.Line($"/// <summary>{vector.Symbol} before the first step and after each: <c>[steps + 1][{layer.PaddedSize}]</c>.</summary>");
                    writer.Line($"internal readonly float[] {vector.Name}{layer.Index};");
                }

                foreach (TraceArray array in layer.Cell.TraceArrays)
                {
                    writer.Line($"/// <summary>{array.Description}: <c>[steps][{layer.PaddedSize}]</c>.</summary>");
                    writer.Line($"internal readonly float[] {array.Name}{layer.Index};");
                }

                if (layer.IsRecurrent)
                {
                    writer.Line($"/// <summary>dL/dh of each step's output, filled by the layer above: <c>[steps][{layer.PaddedSize}]</c>.</summary>");
                    writer.Line($"internal readonly float[] OutputGradients{layer.Index};");
                }

                if (layer.Records)
                {
                    writer.Line($"/// <summary>{layer.Cell.TraceDescription} of each step: <c>[steps][{layer.Blocks} blocks][{layer.Cell.TraceSlots.Count}][{Block.Lanes} lanes]</c>.</summary>");
                    writer.Line($"internal readonly float[] Gates{layer.Index};");
                }

                string slots = string.Join(", ", layer.Cell.Accumulators.Take(layer.Cell.BiasSlots).Select(accumulator => accumulator.Symbol));
                writer.Line($"/// <summary>dL/d(pre-activation) of {slots} each step: <c>[steps][{layer.Blocks} blocks][{layer.Cell.BiasSlots}][{Block.Lanes} lanes]</c>, laid out like the bias.</summary>");
                writer.Line($"internal readonly float[] GateGradients{layer.Index};");
            }
        }
    }
}
