using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits a GRU layer's step in either form; PyTorch's gate order r, z, n.</summary>
internal static class GruEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        if (layer.Spec.ResetAfter)
        {
            EmitResetAfter(writer, layer);
        }
        else
        {
            EmitResetBefore(writer, layer);
        }
    }

    /// <summary>
    /// Reset-after: <c>n = tanh(W_in x + b_in + r*(W_hn h + b_hn))</c>. The two halves of the candidate
    /// stay in separate accumulators (nx, nh) because r scales only the second.
    /// </summary>
    private static void EmitResetAfter(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.",
            "ref float weights, ref float input, ref float hidden",
            () =>
            {
                KernelWriter.StackScratch(writer, "next", layer.PaddedSize, "The new h waits here: every tile still reads the old h.");
                writer.Line();
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 4, blocks =>
                {
                    KernelWriter.AccumulatorsFromBias(writer, layer, blocks, new[] { 0, 1, 2, 3 });
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                    for (int block = 0; block < blocks; block++)
                    {
                        using (KernelWriter.BlockScope(writer, block, "n = tanh(nx + r*nh); h = (1-z)*n + z*h, as n + z*(h-n)."))
                        {
                            writer.Line($"TBlock n = TBlock.Tanh(TBlock.MultiplyAdd(TBlock.Sigmoid(r{block}), nh{block}, nx{block}));");
                            writer.Line($"TBlock.Store(TBlock.MultiplyAdd(TBlock.Sigmoid(z{block}), TBlock.Load(ref hidden, units) - n, n), ref next, units);");
                        }
                    }
                });
                writer.Line();
                writer.Line($"nextBuffer.CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref hidden, {layer.PaddedSize}));");
            });
    }

    /// <summary>
    /// Reset-before: <c>n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)</c>. <c>W_hn</c> needs every r first,
    /// so the step runs in two passes: r, z and the input half of n; then <c>W_hn (r*h)</c> and h.
    /// </summary>
    private static void EmitResetBefore(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.Kernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.",
            "ref float weights, ref float input, ref float hidden",
            () =>
            {
                KernelWriter.StackScratch(writer, "resetHidden", layer.PaddedSize, "First pass results: r*h, z and the input half of n (b_in + b_hn folded in).");
                writer.Line($"{KernelWriter.Span} updateBuffer = stackalloc float[{layer.PaddedSize}];");
                writer.Line($"ref float update = ref {KernelWriter.MemoryMarshal}.GetReference(updateBuffer);");
                writer.Line($"{KernelWriter.Span} candidateBuffer = stackalloc float[{layer.PaddedSize}];");
                writer.Line($"ref float candidate = ref {KernelWriter.MemoryMarshal}.GetReference(candidateBuffer);");
                writer.Line();
                writer.Line("// First pass: r, z and n's input half.");
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 3, blocks =>
                {
                    KernelWriter.AccumulatorsFromBias(writer, layer, blocks, new[] { 0, 1, 2 });
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                    for (int block = 0; block < blocks; block++)
                    {
                        using (KernelWriter.BlockScope(writer, block, "keep r*h, z and n's input half for the second pass."))
                        {
                            writer.Line($"TBlock.Store(TBlock.Sigmoid(r{block}) * TBlock.Load(ref hidden, units), ref resetHidden, units);");
                            writer.Line($"TBlock.Store(TBlock.Sigmoid(z{block}), ref update, units);");
                            writer.Line($"TBlock.Store(n{block}, ref candidate, units);");
                        }
                    }
                });
                writer.Line();
                writer.Line("// Second pass: n += W_hn (r*h); h is updated in place, as this pass reads only r*h.");
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 1, blocks =>
                {
                    writer.Line("// Accumulators n for each block of the tile, starting at n's input half.");
                    for (int block = 0; block < blocks; block++)
                    {
                        writer.Line($"TBlock n{block} = TBlock.Load(ref candidate, (block + {block}) * 8);");
                    }

                    KernelWriter.MultiplyAccumulate(writer, layer, layer.CandidateWeights!, "resetHidden", blocks);
                    for (int block = 0; block < blocks; block++)
                    {
                        using (KernelWriter.BlockScope(writer, block, "n = tanh(n); h = (1-z)*n + z*h, as n + z*(h-n)."))
                        {
                            writer.Line($"TBlock activated = TBlock.Tanh(n{block});");
                            writer.Line("TBlock.Store(TBlock.MultiplyAdd(TBlock.Load(ref update, units), TBlock.Load(ref hidden, units) - activated, activated), ref hidden, units);");
                        }
                    }
                });
            });
    }
}
