using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits the Dense head: <c>y = act(W h + b)</c>.</summary>
internal static class DenseEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: writes the model's {layer.Spec.Size} outputs.",
            "ref float weights, ref float input, ref float output",
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
                        writer.Line($"TBlock.Store({KernelWriter.Activate(layer.Spec.Activation, $"y{block}")}, ref padded, (block + {block}) * 8);");
                    }
                });
                writer.Line();
                writer.Line($"paddedBuffer.Slice(0, {layer.Spec.Size}).CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref output, {layer.Spec.Size}));");
            });
    }
}
