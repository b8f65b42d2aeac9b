using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits the <c>State</c> value type: every recurrent layer's state vectors (h, and c for an LSTM) in one inline buffer.</summary>
internal static class StateEmitter
{
    private const string UnscopedRef = "[global::System.Diagnostics.CodeAnalysis.UnscopedRef]";

    public static void Emit(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The recurrent state of every layer. A value type: copying it snapshots the stream, and");
        writer.Line("/// <see langword=\"default\"/> is the zero state that PyTorch starts from.");
        writer.Line("/// </summary>");
        writer.Line(SourceFile.GeneratedCode);
        using (writer.Block("public struct State"))
        {
            writer.Line($"// Each vector is padded to whole {Block.Lanes}-lane blocks; the padding stays zero and is never exposed.");
            writer.Line($"private const int FloatCount = {plan.StateFloats};");
            writer.Line();
            writer.Line("private Buffer _floats;");
            foreach (LayerPlan layer in plan.Layers.SelectMany(layer => layer.Directions))
            {
                foreach (StateVector vector in layer.StateVectors)
                {
                    writer.Line();
                    string what = layer.IsReverse
                        ? $"The initial {vector.Name.ToLowerInvariant()} state {vector.Symbol} of layer {layer.Index}'s reverse direction, which Forward starts each sequence from and leaves unchanged"
                        : $"The {vector.Name.ToLowerInvariant()} state {vector.Symbol} of layer {layer.Index}, {layer.Describe()}";
                    writer.Line($"/// <summary>{what}: {vector.Units} floats.</summary>");
                    writer.Line(UnscopedRef);
                    writer.Line($"public global::System.Span<float> Layer{layer.Tag}{vector.Name} => global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref _floats[{vector.Offset}], {vector.Units});");
                }
            }

            writer.Line();
            writer.Line("/// <summary>Returns every layer to the zero state.</summary>");
            writer.Line("public void Reset() => this = default;");
            writer.Line();
            writer.Line("/// <summary>The first float of the buffer, from which the kernels address every layer.</summary>");
            writer.Line(UnscopedRef);
            writer.Line("internal ref float Start => ref _floats[0];");
            writer.Line();
            writer.Line("[global::System.Runtime.CompilerServices.InlineArray(FloatCount)]");
            using (writer.Block("private struct Buffer"))
            {
                writer.Line("private float _element0;");
            }
        }
    }
}
