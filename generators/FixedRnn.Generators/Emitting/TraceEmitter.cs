using System.Collections.Generic;
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
/// <remarks>
/// The buffers are one array of arrays, <c>Buffers</c>, which the kernels receive and index by named constants
/// (<see cref="IndexConstants"/>): the kernels then never name the model's types, which a private or protected
/// nested model would not let a class outside its container do.
/// </remarks>
internal static class TraceEmitter
{
    private const string Allocate = "global::FixedRnn.Numerics.TraceBuffer.Allocate";

    /// <summary>One buffer of the trace: its name (the kernels' index constant), rows, floats per row, and what it holds.</summary>
    internal sealed record TraceBufferInfo(string Name, string Rows, string RowLength, string Holds);

    /// <summary>The trace's buffers in the order of <c>Buffers</c>.</summary>
    public static IReadOnlyList<TraceBufferInfo> Buffers(ModelPlan plan)
    {
        var buffers = new List<TraceBufferInfo> { new("Inputs", "maxSteps", "InputSize", "the inputs as the kernels used them (saturated), [steps][InputSize]") };
        foreach (LayerPlan direction in plan.Layers.SelectMany(layer => layer.Directions))
        {
            string padded = direction.PaddedSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string name = direction.IsReverse ? $"layer {direction.Index}'s reverse direction's" : $"layer {direction.Index}'s";
            string steps = direction.IsReverse ? "each of its steps (step s is time step T − 1 − s)" : "each step";
            foreach (StateVector vector in direction.StateVectors)
            {
                string units = vector.PaddedUnits.ToString(System.Globalization.CultureInfo.InvariantCulture);
                buffers.Add(new($"{vector.Name}{direction.Tag}", "maxSteps + 1", units, $"{name} {vector.Symbol} before the first step and after {(direction.IsReverse ? "each of its steps" : "each")}, [steps + 1][{units}]"));
            }

            foreach (TraceArray array in direction.Cell.TraceArrays)
            {
                buffers.Add(new($"{array.Name}{direction.Tag}", "maxSteps", padded, $"{name} {array.Description}, [steps][{padded}]"));
            }

            if (direction.IsRecurrent)
            {
                string output = direction.PaddedHidden.ToString(System.Globalization.CultureInfo.InvariantCulture);
                buffers.Add(new($"OutputGradients{direction.Tag}", "maxSteps", output, $"dL/dh of {name} output {steps}, filled by the layer above, [steps][{output}]"));
            }

            if (direction.Records)
            {
                buffers.Add(new($"Gates{direction.Tag}", "maxSteps", $"{direction.RecordStride}", $"{name} {Lower(direction.Cell.TraceDescription)} {steps}, [steps][{direction.Blocks} blocks][{direction.Cell.TraceSlots.Count}][{Block.Lanes} lanes]"));
            }

            string slots = string.Join(", ", direction.Cell.Accumulators.Take(direction.Cell.BiasSlots).Select(accumulator => accumulator.Symbol));
            buffers.Add(new($"GateGradients{direction.Tag}", "maxSteps", $"{direction.GradientStride}", $"{name} dL/d(pre-activation) of {slots} {steps}, laid out like the bias, [steps][{direction.Blocks} blocks][{direction.Cell.BiasSlots}][{Block.Lanes} lanes]"));
        }

        if (plan.IsBidirectional)
        {
            // Layer by layer (SequenceKernelsEmitter): the sequence each layer hands up, its gradient, and what a reverse
            // direction sends down before it is added to the forward direction's.
            foreach (LayerPlan layer in plan.Layers.Where(layer => SequenceKernelsEmitter.HasSequence(plan, layer)))
            {
                buffers.Add(new($"Sequence{layer.Index}", "maxSteps", $"{layer.OutputWidth}", $"layer {layer.Index}'s output rows, the input of layer {layer.Index + 1}, [steps][{layer.OutputWidth}]"));
                buffers.Add(new($"SequenceGradients{layer.Index}", "maxSteps", $"{layer.OutputWidth}", $"dL/d(layer {layer.Index}'s output rows), filled by layer {layer.Index + 1}, [steps][{layer.OutputWidth}]"));
            }

            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsBidirectional))
            {
                buffers.Add(new($"ReverseInputGradients{layer.Index}", "maxSteps", $"{layer.InputSize}", $"dL/d(layer {layer.Index}'s input rows) through its reverse direction, [steps][{layer.InputSize}]"));
            }
        }

        return buffers;
    }

    /// <summary>The kernels' names for the trace's buffers: one constant per buffer, its index in <c>Buffers</c>.</summary>
    public static void IndexConstants(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("// Where each buffer of the trace sits in Trace.Buffers.");
        IReadOnlyList<TraceBufferInfo> buffers = Buffers(plan);
        for (int index = 0; index < buffers.Count; index++)
        {
            writer.Line($"private const int {buffers[index].Name} = {index};");
        }
    }

    public static void Emit(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>");
        writer.Line("/// What a recording <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float}, Trace)\"/>");
        writer.Line("/// keeps for <see cref=\"Backward(Trace, global::System.ReadOnlySpan{float}, global::System.Span{float}, global::System.Span{float}, ref State)\"/>: the inputs, every layer's states before and after each step and");
        writer.Line("/// its gate activations, plus the backward pass's per-step gradients. Allocated once for up to");
        writer.Line("/// <see cref=\"MaxSteps\"/> steps, so training allocates nothing afterwards.");
        writer.Line("/// </summary>");
        writer.Line(SourceFile.GeneratedCode);
        using (writer.Block("public sealed class Trace : global::FixedRnn.Numerics.ITraceBuffers"))
        {
            writer.Line("/// <summary>Allocates a trace for windows of up to <paramref name=\"maxSteps\"/> steps.</summary>");
            writer.Line("/// <param name=\"maxSteps\">The longest window it records, at least 1.</param>");
            using (writer.Block("public Trace(int maxSteps)"))
            {
                writer.Line("global::System.ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSteps);");
                writer.Line("MaxSteps = maxSteps;");
                writer.Line("Buffers =");
                using (writer.Block(closing: "];", header: null, opening: "["))
                {
                    foreach (TraceBufferInfo buffer in Buffers(plan))
                    {
                        writer.Line($"{Allocate}({buffer.Rows}, {buffer.RowLength}), // {buffer.Name}: {buffer.Holds}");
                    }
                }
            }

            writer.Line();
            writer.Line("/// <summary>The longest window this trace records.</summary>");
            writer.Line("public int MaxSteps { get; }");
            writer.Line();
            writer.Line("/// <summary>Steps the last recording forward pass recorded.</summary>");
            writer.Line("public int Steps { get; internal set; }");
            writer.Line();
            writer.Line("/// <summary>The recording and the backward pass's per-step buffers, in the order the constructor lists them.</summary>");
            writer.Line("internal readonly float[][] Buffers;");
            writer.Line();
            writer.Line("float[][] global::FixedRnn.Numerics.ITraceBuffers.Buffers => Buffers;");
        }
    }

    private static string Lower(string text) => char.ToLowerInvariant(text[0]) + text.Substring(1);
}
