using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits an LSTM layer's step: PyTorch's gates i, f, g, o.</summary>
internal static class LstmEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h and c by one step.",
            "ref float weights, ref float input, ref float hidden, ref float cell",
            () =>
            {
                KernelWriter.StackScratch(writer, "next", layer.PaddedSize, "The new h waits here: every tile still reads the old h.");
                writer.Line();
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 4, blocks =>
                {
                    KernelWriter.AccumulatorsFromBias(writer, layer, blocks, Enumerable.Range(0, 4).ToArray());
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                    for (int block = 0; block < blocks; block++)
                    {
                        using (KernelWriter.BlockScope(writer, block, "c = f*c + i*g; h = o*tanh(c)."))
                        {
                            writer.Line($"TBlock c = TBlock.MultiplyAdd(TBlock.Sigmoid(f{block}), TBlock.Load(ref cell, units), TBlock.Sigmoid(i{block}) * TBlock.Tanh(g{block}));");
                            writer.Line("TBlock.Store(c, ref cell, units);");
                            writer.Line($"TBlock.Store(TBlock.Sigmoid(o{block}) * TBlock.Tanh(c), ref next, units);");
                        }
                    }
                });
                writer.Line();
                writer.Line($"nextBuffer.CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref hidden, {layer.PaddedSize}));");
            });
    }
}
