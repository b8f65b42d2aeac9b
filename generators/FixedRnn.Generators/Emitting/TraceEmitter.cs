using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits the <c>Trace</c> class: everything a recording forward pass keeps for <c>Backward</c>, and
/// the backward pass's own per-step buffers, all allocated once for up to a chosen number of steps.
/// </summary>
internal static class TraceEmitter
{
    private const string Allocate = "global::FixedRnn.Numerics.TraceBuffer.Allocate";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        writer.Line("/// <summary>");
        writer.Line("/// What a recording <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float}, Trace)\"/>");
        writer.Line("/// keeps for <see cref=\"Backward\"/>: the inputs, every layer's states before and after each step and");
        writer.Line("/// its gate activations, plus the backward pass's per-step gradients. Allocated once for up to");
        writer.Line("/// <see cref=\"MaxSteps\"/> steps, so training allocates nothing afterwards.");
        writer.Line("/// </summary>");
        using (writer.Block("public sealed class Trace"))
        {
            writer.Line("/// <summary>Allocates a trace for windows of up to <paramref name=\"maxSteps\"/> steps.</summary>");
            writer.Line("/// <param name=\"maxSteps\">The longest window it records, at least 1.</param>");
            using (writer.Block("public Trace(int maxSteps)"))
            {
                writer.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);");
                writer.Line("MaxSteps = maxSteps;");
                writer.Line($"Inputs = {Allocate}(maxSteps, InputSize);");
                foreach (LayerLayout layer in layout.Layers)
                {
                    if (layer.Spec.IsRecurrent)
                    {
                        writer.Line($"Hidden{layer.Index} = {Allocate}(maxSteps + 1, {layer.PaddedSize});");
                        if (layer.Spec.Kind == LayerKind.Lstm)
                        {
                            writer.Line($"Cell{layer.Index} = {Allocate}(maxSteps + 1, {layer.PaddedSize});");
                        }

                        if (layer.IsResetBeforeGru)
                        {
                            writer.Line($"ResetHidden{layer.Index} = {Allocate}(maxSteps, {layer.PaddedSize});");
                        }

                        writer.Line($"OutputGradients{layer.Index} = {Allocate}(maxSteps, {layer.PaddedSize});");
                    }

                    if (layer.RecordSlots > 0)
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
            foreach (LayerLayout layer in layout.Layers)
            {
                writer.Line();
                writer.Line($"// Layer {layer.Index}, {layer.Spec.Describe()}.");
                if (layer.Spec.IsRecurrent)
                {
                    writer.Line($"/// <summary>h before the first step and after each: <c>[steps + 1][{layer.PaddedSize}]</c>.</summary>");
                    writer.Line($"internal readonly float[] Hidden{layer.Index};");
                    if (layer.Spec.Kind == LayerKind.Lstm)
                    {
                        writer.Line($"/// <summary>c before the first step and after each: <c>[steps + 1][{layer.PaddedSize}]</c>.</summary>");
                        writer.Line($"internal readonly float[] Cell{layer.Index};");
                    }

                    if (layer.IsResetBeforeGru)
                    {
                        writer.Line($"/// <summary>r*h of each step, the input of W_hn: <c>[steps][{layer.PaddedSize}]</c>.</summary>");
                        writer.Line($"internal readonly float[] ResetHidden{layer.Index};");
                    }

                    writer.Line($"/// <summary>dL/dh of each step's output, filled by the layer above: <c>[steps][{layer.PaddedSize}]</c>.</summary>");
                    writer.Line($"internal readonly float[] OutputGradients{layer.Index};");
                }

                if (layer.RecordSlots > 0)
                {
                    string recorded = RecordedNames(layer);
                    writer.Line($"/// <summary>{recorded} of each step: <c>[steps][{layer.Blocks} blocks][{layer.RecordSlots}][8 lanes]</c>.</summary>");
                    writer.Line($"internal readonly float[] Gates{layer.Index};");
                }

                string slots = string.Join(", ", layer.Accumulators.Take(layer.BiasSlots));
                writer.Line($"/// <summary>dL/d(pre-activation) of {slots} each step: <c>[steps][{layer.Blocks} blocks][{layer.BiasSlots}][8 lanes]</c>, laid out like the bias.</summary>");
                writer.Line($"internal readonly float[] GateGradients{layer.Index};");
            }
        }
    }

    public static string RecordedNames(LayerLayout layer) => layer.Spec.Kind switch
    {
        LayerKind.Lstm => "The activated gates i, f, g, o",
        LayerKind.Gru when layer.Spec.ResetAfter => "The activated r, z, n and the raw W_hn h + b_hn",
        LayerKind.Gru => "The activated r, z, n",
        _ => "The activated output y",
    };
}
