using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits the Dense head, <c>y = act(W h + b)</c>, and its backward pass.</summary>
internal static class DenseEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: writes the model's {layer.Spec.Size} outputs.",
            "ref float weights, ref float input, ref float output, ref float gates",
            () =>
            {
                KernelWriter.StackScratch(writer, "padded", layer.PaddedSize, "Whole blocks are computed here; only the real outputs are copied out.");
                writer.Line();
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 1, blocks =>
                {
                    KernelWriter.AccumulatorsFromBias(writer, layer, blocks, new[] { 0 });
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                    writer.Line($"// y = {layer.Spec.Activation.ToString().ToLowerInvariant()}(W h + b) for each block of the tile.");
                    for (int block = 0; block < blocks; block++)
                    {
                        writer.Line($"TBlock y{block}Activated = {KernelWriter.Activate(layer.Spec.Activation, $"y{block}")};");
                        writer.Line($"TBlock.Store(y{block}Activated, ref padded, (block + {block}) * 8);");
                        KernelWriter.Record(writer, layer, block, $"y{block}Activated");
                    }
                });
                writer.Line();
                writer.Line($"paddedBuffer.Slice(0, {layer.Spec.Size}).CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref output, {layer.Spec.Size}));");
            });
    }

    public static void EmitBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        int size = layer.Spec.Size;
        KernelWriter.Kernel(
            writer,
            layer,
            $"Backward through layer {layer.Index}, {layer.Spec.Describe()}: from dL/dy, the gradients of its weights and of the h below.",
            "ref float weights, ref float gradients, Trace trace, nint steps, ref float outputGradients, ref float downstream",
            () =>
            {
                writer.Line($"ref float outputs = ref {KernelWriter.MemoryMarshal}.GetArrayDataReference(trace.Gates{layer.Index});");
                writer.Line($"ref float gateGradients = ref {KernelWriter.MemoryMarshal}.GetArrayDataReference(trace.GateGradients{layer.Index});");
                writer.Line($"ref float features = ref {inputSource};");
                if (layer.Spec.Activation is Activation.Tanh or Activation.Sigmoid)
                {
                    writer.Line("TBlock one = TBlock.Broadcast(1f);");
                }

                writer.Line();
                using (writer.Block("for (nint t = 0; t < steps; t++)"))
                {
                    writer.Line($"ref float stepGradients = ref {KernelWriter.Unsafe}.Add(ref gateGradients, t * {layer.GradientStride});");
                    writer.Line($"ref float stepOutputs = ref {KernelWriter.Unsafe}.Add(ref outputs, t * {layer.RecordStride});");
                    writer.Line("// dL/dy into whole blocks; the padding lanes stay zero.");
                    writer.Line($"{KernelWriter.MemoryMarshal}.CreateReadOnlySpan(ref {KernelWriter.Unsafe}.Add(ref outputGradients, t * {size}), {size})");
                    writer.Indent();
                    writer.Line($".CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref stepGradients, {size}));");
                    writer.Unindent();
                    if (layer.Spec.Activation != Activation.Identity)
                    {
                        writer.Line($"// Through the activation: dL/d(W h + b) = dL/dy · {Derivative(layer.Spec.Activation, "y")}.");
                        using (writer.Block($"for (nuint units = 0; units < {layer.PaddedSize}; units += 8)"))
                        {
                            writer.Line("TBlock y = TBlock.Load(ref stepOutputs, units);");
                            writer.Line($"TBlock.Store(TBlock.Load(ref stepGradients, units) * {Derivative(layer.Spec.Activation, "y")}, ref stepGradients, units);");
                        }
                    }

                    writer.Line($"ref float stepDownstream = ref {KernelWriter.Unsafe}.Add(ref downstream, t * {inputStride});");
                    BackwardWriter.TransposedProduct(writer, layer, layer.InputWeights, "stepGradients", "stepDownstream", accumulate: false);
                }

                writer.Line();
                BackwardWriter.WeightGradient(writer, layer, layer.InputWeights, "features", inputStride);
                BackwardWriter.BiasGradient(writer, layer);
            },
            suffix: "Backward",
            traced: false);
    }

    private static string Derivative(Activation activation, string y) => activation switch
    {
        Activation.Tanh => $"(one - ({y} * {y}))",
        Activation.Sigmoid => $"({y} * (one - {y}))",
        Activation.Relu => $"TBlock.PositiveIndicator({y})",
        _ => "one",
    };
}
