using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits the <c>State</c> value type: h (and c) of every recurrent layer in one inline buffer.</summary>
internal static class StateEmitter
{
    private const string UnscopedRef = "[global::System.Diagnostics.CodeAnalysis.UnscopedRef]";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        writer.Line("/// <summary>");
        writer.Line("/// The recurrent state of every layer. A value type: copying it snapshots the stream, and");
        writer.Line("/// <see langword=\"default\"/> is the zero state that PyTorch starts from.");
        writer.Line("/// </summary>");
        using (writer.Block("public struct State"))
        {
            writer.Line("// Each vector is padded to whole 8-lane blocks; the padding stays zero and is never exposed.");
            writer.Line($"private const int FloatCount = {layout.StateFloats};");
            writer.Line();
            writer.Line("private Buffer _floats;");
            foreach (LayerLayout layer in layout.Recurrent)
            {
                writer.Line();
                Accessor(writer, $"Layer{layer.Index}Hidden", $"The hidden state h of layer {layer.Index}, {layer.Spec.Describe()}: {layer.Spec.Size} floats.", layer.HiddenState, layer.Spec.Size);
                if (layer.Spec.Kind == LayerKind.Lstm)
                {
                    writer.Line();
                    Accessor(writer, $"Layer{layer.Index}Cell", $"The cell state c of layer {layer.Index}, {layer.Spec.Describe()}: {layer.Spec.Size} floats.", layer.CellState, layer.Spec.Size);
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

    private static void Accessor(SourceWriter writer, string name, string summary, int offset, int length)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line(UnscopedRef);
        writer.Line($"public global::System.Span<float> {name} => global::System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref _floats[{offset}], {length});");
    }
}
