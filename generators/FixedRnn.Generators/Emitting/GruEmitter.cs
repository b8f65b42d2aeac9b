using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits a GRU layer's step and backward pass in either form; PyTorch's gate order r, z, n.</summary>
internal static class GruEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer, bool projected = false)
    {
        if (layer.Spec.ResetAfter)
        {
            EmitResetAfter(writer, layer, projected);
        }
        else
        {
            EmitResetBefore(writer, layer, projected);
        }
    }

    public static void EmitBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        if (layer.Spec.ResetAfter)
        {
            EmitResetAfterBackward(writer, layer, inputSource, inputStride);
        }
        else
        {
            EmitResetBeforeBackward(writer, layer, inputSource, inputStride);
        }
    }

    /// <summary>
    /// Reset-after: <c>n = tanh(W_in x + b_in + r*(W_hn h + b_hn))</c>. The two halves of the candidate
    /// stay in separate accumulators (nx, nh) because r scales only the second.
    /// </summary>
    private static void EmitResetAfter(SourceWriter writer, LayerLayout layer, bool projected)
    {
        KernelWriter.SinglePassKernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.",
            "ref float weights, ref float input, ref float hidden, ref float gates",
            blocks => KernelWriter.BlockGroups(writer, blocks, "n = tanh(nx + r*nh); h = (1-z)*n + z*h, as n + z*(h-n).", group =>
            {
                group.Activate("Sigmoid", "reset", block => $"r{block}");
                group.Activate("Sigmoid", "update", block => $"z{block}");
                group.Activate("Tanh", "n", block => $"TBlock.MultiplyAdd(reset{block}, nh{block}, nx{block})");
                group.Each((block, units) => $"TBlock.Store(TBlock.MultiplyAdd(update{block}, TBlock.Load(ref hidden, {units}) - n{block}, n{block}), ref next, {units});");
                foreach (int block in group.Blocks)
                {
                    KernelWriter.Record(writer, layer, block, $"reset{block}", $"update{block}", $"n{block}", $"nh{block}");
                }
            }),
            projected);
    }

    /// <summary>
    /// Reset-before: <c>n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)</c>. <c>W_hn</c> needs every r first,
    /// so the step runs in two passes: r, z and the input half of n; then <c>W_hn (r*h)</c> and h.
    /// </summary>
    private static void EmitResetBefore(SourceWriter writer, LayerLayout layer, bool projected)
    {
        string summary = $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.";
        string parameters = "ref float weights, ref float input, ref float hidden, ref float gates, ref float resetRecord";
        KernelWriter.Kernel(
            writer,
            layer,
            projected ? KernelWriter.ProjectedSummary(summary) : summary,
            projected ? KernelWriter.ProjectedParameters(parameters) : parameters,
            () =>
            {
                KernelWriter.StackScratch(writer, "resetHidden", layer.PaddedSize, "First pass results: r*h,");
                KernelWriter.StackScratch(writer, "updates", layer.PaddedSize, "z,");
                KernelWriter.StackScratch(writer, "candidates", layer.PaddedSize, "and the input half of n (b_in + b_hn folded in).");
                writer.Line();
                writer.Line("// First pass: r, z and n's input half.");
                KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 3, blocks =>
                {
                    KernelWriter.StartAccumulators(writer, layer, blocks, new[] { 0, 1, 2 }, projected);
                    KernelWriter.MultiplyAccumulate(writer, layer, layer.RecurrentWeights!, "hidden", blocks);
                    KernelWriter.BlockGroups(writer, blocks, "keep r*h, z and n's input half for the second pass.", group =>
                    {
                        group.Activate("Sigmoid", "reset", block => $"r{block}");
                        group.Activate("Sigmoid", "update", block => $"z{block}");
                        group.Each((block, units) => $"TBlock.Store(reset{block} * TBlock.Load(ref hidden, {units}), ref resetHidden, {units});");
                        group.Each((block, units) => $"TBlock.Store(update{block}, ref updates, {units});");
                        group.Each((block, units) => $"TBlock.Store(n{block}, ref candidates, {units});");
                        foreach (int block in group.Blocks)
                        {
                            KernelWriter.Record(writer, layer, block, $"reset{block}", $"update{block}");
                        }
                    });
                });
                using (writer.Block("if (TTrace.IsRecording)"))
                {
                    writer.Line($"resetHiddenBuffer.CopyTo({KernelWriter.MemoryMarshal}.CreateSpan(ref resetRecord, {layer.PaddedSize}));");
                }

                writer.Line();
                writer.Line("// Second pass: n += W_hn (r*h), a product over r*h only, so each unit's h can be updated in place once read.");
                writer.Line($"{CandidatePass(layer)}<TBlock, TTrace>(ref weights, ref hidden, ref gates, ref resetHidden, ref updates, ref candidates);");
                writer.Defer(CandidatePass(layer), () => EmitCandidatePass(writer, layer));
            },
            suffix: projected ? KernelWriter.Projected : string.Empty,
            // W_hn is the second pass's (CandidatePass); the projected variant gets b + W_ih x ready-made.
            segments: projected ? new[] { layer.RecurrentWeights! } : new[] { layer.InputWeights, layer.RecurrentWeights! },
            bias: !projected);
    }

    private static string CandidatePass(LayerLayout layer) => $"{layer.KernelName}CandidatePass";

    /// <summary>
    /// The reset-before step's second pass, a method of its own: with the first pass in the same method, a wide
    /// layer's inlined activations passed the JIT's 1,024 tracked locals where Vector512 is not accelerated
    /// (two Vector256 evaluations per block pair), and the kernel ran 2× slower with its values on the stack.
    /// </summary>
    private static void EmitCandidatePass(SourceWriter writer, LayerLayout layer)
    {
        writer.Line($"/// <summary>Layer {layer.Index}'s second pass: n = tanh(n + W_hn (r*h)) from the first pass's results, then h = (1-z)*n + z*h in place.</summary>");
        writer.Line($"private static void {CandidatePass(layer)}<TBlock, TTrace>(ref float weights, ref float hidden, ref float gates, ref float resetHidden, ref float updates, ref float candidates)");
        writer.Indent();
        writer.Line(KernelWriter.BlockConstraint);
        writer.Line(KernelWriter.TraceConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            WeightSegment segment = layer.CandidateWeights!;
            KernelWriter.WeightConstants(writer, layer, new[] { segment }, bias: false);
            writer.Line();
            KernelWriter.Tiles(writer, layer, accumulatorsPerBlock: 1, blocks =>
            {
                writer.Line("// Accumulators n for each block of the tile, starting at n's input half.");
                for (int block = 0; block < blocks; block++)
                {
                    writer.Line($"TBlock n{block} = TBlock.Load(ref candidates, (block + {block}) * 8);");
                }

                KernelWriter.MultiplyAccumulate(writer, layer, segment, "resetHidden", blocks);
                KernelWriter.BlockGroups(writer, blocks, "n = tanh(n); h = (1-z)*n + z*h, as n + z*(h-n).", group =>
                {
                    group.Activate("Tanh", "activated", block => $"n{block}");
                    group.Each((block, units) => $"TBlock.Store(TBlock.MultiplyAdd(TBlock.Load(ref updates, {units}), TBlock.Load(ref hidden, {units}) - activated{block}, activated{block}), ref hidden, {units});");
                    foreach (int block in group.Blocks)
                    {
                        KernelWriter.Record(writer, layer, block, firstSlot: 2, $"activated{block}");
                    }
                });
            });
        }
    }

    private static void EmitResetAfterBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        RecurrentBackward.Emit(writer, layer, inputSource, inputStride, () => RecurrentBackward.StandardStep(writer, layer, inputStride, hiddenGradientAccumulates: true, elementwise: () =>
        {
            writer.Line("TBlock reset = TBlock.Load(ref stepGates, record);");
            writer.Line("TBlock update = TBlock.Load(ref stepGates, record + 8);");
            writer.Line("TBlock n = TBlock.Load(ref stepGates, record + 16);");
            writer.Line("TBlock recurrentCandidate = TBlock.Load(ref stepGates, record + 24);");
            writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line("TBlock dn = dh * (one - update) * (one - (n * n)); // dL/d(nx + r*nh)");
            writer.Line("TBlock.Store(dn * recurrentCandidate * reset * (one - reset), ref stepGradients, slots);");
            writer.Line("TBlock.Store(dh * (before - n) * update * (one - update), ref stepGradients, slots + 8);");
            writer.Line("TBlock.Store(dn, ref stepGradients, slots + 16);");
            writer.Line("TBlock.Store(dn * reset, ref stepGradients, slots + 24);");
            writer.Line("// The direct path h_{t-1} → z*h_{t-1}; W_hhᵀ adds the rest below.");
            writer.Line("TBlock.Store(dh * update, ref hiddenGradient, units);");
        }));
    }

    private static void EmitResetBeforeBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        RecurrentBackward.Emit(writer, layer, inputSource, inputStride, () =>
        {
            RecurrentBackward.BlockLoop(writer, layer, "Through h = n + z*(h-n) and n = tanh(...): dz, dn and the direct path to h_{t-1}.", () =>
            {
                writer.Line("TBlock update = TBlock.Load(ref stepGates, record + 8);");
                writer.Line("TBlock n = TBlock.Load(ref stepGates, record + 16);");
                writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
                writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
                writer.Line("TBlock.Store(dh * (before - n) * update * (one - update), ref stepGradients, slots + 8);");
                writer.Line("TBlock.Store(dh * (one - update) * (one - (n * n)), ref stepGradients, slots + 16);");
                writer.Line("TBlock.Store(dh * update, ref hiddenGradient, units);");
            });
            BackwardWriter.TransposedProduct(writer, layer, layer.CandidateWeights!, "stepGradients", "resetGradient", accumulate: false);
            RecurrentBackward.BlockLoop(writer, layer, "Through r*h: dr, and the path through r*h to h_{t-1}.", () =>
            {
                writer.Line("TBlock reset = TBlock.Load(ref stepGates, record);");
                writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
                writer.Line("TBlock resetHiddenGradient = TBlock.Load(ref resetGradient, units);");
                writer.Line("TBlock.Store(resetHiddenGradient * before * reset * (one - reset), ref stepGradients, slots);");
                writer.Line("TBlock.Store(TBlock.MultiplyAdd(resetHiddenGradient, reset, TBlock.Load(ref hiddenGradient, units)), ref hiddenGradient, units);");
            });
            RecurrentBackward.SendBack(writer, layer, inputStride, hiddenGradientAccumulates: true);
        });
    }
}
