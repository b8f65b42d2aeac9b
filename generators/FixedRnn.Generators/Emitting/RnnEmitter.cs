using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits a vanilla RNN layer's step: <c>h = act(W_ih x + b_ih + W_hh h + b_hh)</c>.</summary>
internal static class RnnEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        string activation = layer.Spec.Activation.ToString().ToLowerInvariant();
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.",
            "ref float weights, ref float input, ref float hidden",
            () =>
            {
                KernelWriter.StackScratch(writer, "next", layer.PaddedSize, "The new h waits here: every tile still reads the old h.");
                writer.Line();
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 1, blocks =>
                {
                    KernelWriter.AccumulatorsFromBias(writer, layer, blocks, new[] { 0 });
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                    writer.Line($"// h = {activation}(a) for each block of the tile.");
                    for (int block = 0; block < blocks; block++)
                    {
                        writer.Line($"TBlock.Store({KernelWriter.Activate(layer.Spec.Activation, $"a{block}")}, ref next, (block + {block}) * 8);");
                    }
                });
                writer.Line();
                writer.Line($"nextBuffer.CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref hidden, {layer.PaddedSize}));");
            });
    }
}
