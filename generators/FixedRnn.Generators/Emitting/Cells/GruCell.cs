using System.Collections.Generic;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>
/// A GRU layer in either form, PyTorch's gate order r, z, n; <c>h = (1-z)*n + z*h</c>. Reset-after (PyTorch, cuDNN,
/// Keras' default): <c>n = tanh(W_in x + b_in + r*(W_hn h + b_hn))</c>. Reset-before (Cho et al., Keras
/// <c>reset_after=False</c>, ONNX's default): <c>n = tanh(W_in x + b_in + W_hn (r*h) + b_hn)</c>.
/// </summary>
internal sealed class GruCell : RecurrentCell
{
    private static readonly GruCell ResetAfterForm = new(resetAfter: true);
    private static readonly GruCell ResetBeforeForm = new(resetAfter: false);

    private static readonly BackwardView[] Views = { new("hiddenBefore", "hiddens", 0) };

    private readonly bool _resetAfter;
    private readonly Accumulator[] _accumulators;
    private readonly SegmentShape[] _segments;
    private readonly string[] _recorded;
    private readonly TraceArray[] _traceArrays;

    private GruCell(bool resetAfter)
    {
        _resetAfter = resetAfter;
        if (resetAfter)
        {
            // The two halves of the candidate stay in separate accumulators (nx, nh) because r scales only the second.
            _accumulators = new Accumulator[] { new("r", "Reset"), new("z", "Update"), new("nx", "CandidateInput"), new("nh", "CandidateRecurrent") };
            _segments = new[] { InputSegment(), RecurrentSegment(new[] { 0, 1, 3 }, new[] { 0, 1, 2 }) };
            _recorded = new[] { "Reset", "Update", "Candidate", "RecurrentCandidate" };
            _traceArrays = new TraceArray[0];
        }
        else
        {
            // W_hn needs every r first, so it is packed apart and applied in a second pass to r*h.
            _accumulators = new Accumulator[] { new("r", "Reset"), new("z", "Update"), new("n", "Candidate") };
            _segments = new[]
            {
                InputSegment(),
                RecurrentSegment(new[] { 0, 1 }, new[] { 0, 1 }),
                new SegmentShape("CandidateWeights", "W_hn (r*h)", SegmentSource.Intermediate, new[] { 2 }.ToEquatableArray(), "weight_hh", new[] { 2 }.ToEquatableArray(), Intermediate: "ResetHidden"),
            };
            _recorded = new[] { "Reset", "Update", "Candidate" };
            _traceArrays = new[] { new TraceArray("ResetHidden", "resetRecord", "r*h of each step, the input of W_hn") };
        }
    }

    public static GruCell Of(bool resetAfter) => resetAfter ? ResetAfterForm : ResetBeforeForm;

    public override LayerKind Kind => LayerKind.Gru;

    public override bool ResetAfter => _resetAfter;

    public override string Title => _resetAfter ? "GRU (reset-after)" : "GRU (reset-before)";

    public override string Equations => _resetAfter
        ? "r, z = σ(W_ir,z x + b_ir,z + W_hr,z h + b_hr,z); n = tanh(W_in x + b_in + r*(W_hn h + b_hn)); h = (1-z)*n + z*h."
        : "r, z = σ(W_ir,z x + b_ir,z + W_hr,z h + b_hr,z); n = tanh(W_in x + b_in + W_hn (r*h) + b_hn); h = (1-z)*n + z*h.";

    public override int SourceGates => 3;

    public override IReadOnlyList<Accumulator> Accumulators => _accumulators;

    public override IReadOnlyList<SegmentShape> Segments => _segments;

    public override IReadOnlyList<string> TraceSlots => _recorded;

    public override string TraceDescription => _resetAfter ? "The activated r, z, n and the raw W_hn h + b_hn" : "The activated r, z, n";

    public override IReadOnlyList<TraceArray> TraceArrays => _traceArrays;

    public override IReadOnlyList<BackwardView> BackwardViews => Views;

    public override string PackingNote => _resetAfter
        ? "gates r, z, n; b_hn stays apart from b_in because r scales it."
        : "gates r, z, n; W_hn is packed on its own for the second pass, and b_in + b_hn fold.";

    /// <summary>Reset-after keeps <c>b_hn</c> in the nh accumulator, which r scales.</summary>
    protected override int BiasHiddenSlot(int gate) => _resetAfter && gate == 2 ? 3 : gate;

    public override string StepSummary(LayerPlan layer) => "advances h by one step";

    /// <summary>The reset-before step runs two passes, the second over every r*h: it has no batched kernel.</summary>
    public override bool TilesStreams => _resetAfter;

    public override void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
    {
        if (_resetAfter)
        {
            WriteResetAfterStep(writer, layer, variant);
        }
        else
        {
            WriteResetBeforeStep(writer, layer, variant);
        }
    }

    public override void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
    {
        if (_resetAfter)
        {
            WriteResetAfterBackward(writer, layer, context);
        }
        else
        {
            WriteResetBeforeBackward(writer, layer, context);
        }
    }

    private static void WriteResetAfterStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
        => KernelWriter.SinglePassStep(writer, layer, variant, tile => KernelWriter.BlockGroups(writer, tile, "n = tanh(nx + r*nh); h = (1-z)*n + z*h, as n + z*(h-n).", group =>
        {
            group.Activate("Sigmoid", "reset", block => $"r{block}");
            group.Activate("Sigmoid", "update", block => $"z{block}");
            group.Activate("Tanh", "n", block => $"TBlock.MultiplyAdd(reset{block}, nh{block}, nx{block})");
            group.Each((block, units) => $"TBlock.Store(TBlock.MultiplyAdd(update{block}, TBlock.Load(ref hidden, {units}) - n{block}, n{block}), ref next, {units});");
            foreach (int block in group.Blocks)
            {
                KernelWriter.Record(writer, layer, block, firstSlot: 0, $"reset{block}", $"update{block}", $"n{block}", $"nh{block}");
            }
        }));

    /// <summary>
    /// Reset-before: <c>W_hn</c> needs every r first, so the step runs in two passes: r, z and the input half of n;
    /// then <c>W_hn (r*h)</c> and h.
    /// </summary>
    private static void WriteResetBeforeStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
    {
        WeightSegment recurrent = layer.Segment("RecurrentWeights");
        // W_hn is the second pass's (CandidatePass); the projected variant gets b + W_ih x ready-made.
        WeightSegment[] segments = variant == StepVariant.FromProjection ? new[] { recurrent } : new[] { layer.InputWeights, recurrent };
        KernelWriter.StepKernel(writer, layer, variant, segments, () =>
        {
            KernelWriter.StackScratch(writer, "resetHidden", layer.PaddedSize, "First pass results: r*h,");
            KernelWriter.StackScratch(writer, "updates", layer.PaddedSize, "z,");
            KernelWriter.StackScratch(writer, "candidates", layer.PaddedSize, "and the input half of n (b_in + b_hn folded in).");
            writer.Line();
            writer.Line("// First pass: r, z and n's input half.");
            KernelWriter.Tiles(writer, layer.StepTiles, layer.Size, blocks =>
            {
                KernelWriter.StartAccumulators(writer, layer, blocks, new[] { 0, 1, 2 }, variant);
                KernelWriter.MultiplyAccumulate(writer, layer, recurrent, "hidden", blocks);
                KernelWriter.BlockGroups(writer, blocks, "keep r*h, z and n's input half for the second pass.", group =>
                {
                    group.Activate("Sigmoid", "reset", block => $"r{block}");
                    group.Activate("Sigmoid", "update", block => $"z{block}");
                    group.Each((block, units) => $"TBlock.Store(reset{block} * TBlock.Load(ref hidden, {units}), ref resetHidden, {units});");
                    group.Each((block, units) => $"TBlock.Store(update{block}, ref updates, {units});");
                    group.Each((block, units) => $"TBlock.Store(n{block}, ref candidates, {units});");
                    foreach (int block in group.Blocks)
                    {
                        KernelWriter.Record(writer, layer, block, firstSlot: 0, $"reset{block}", $"update{block}");
                    }
                });
            });
            using (writer.Block("if (TTrace.IsRecording)"))
            {
                writer.Line($"resetHiddenBuffer.CopyTo(MemoryMarshal.CreateSpan(ref resetRecord, {layer.PaddedSize}));");
            }

            writer.Line();
            writer.Line("// Second pass: n += W_hn (r*h), a product over r*h only, so each unit's h can be updated in place once read.");
            writer.Line($"{CandidatePass(layer)}<TBlock, TTrace>(ref weights, ref hidden, ref gates, ref resetHidden, ref updates, ref candidates);");
            writer.Defer(CandidatePass(layer), () => WriteCandidatePass(writer, layer));
        });
    }

    private static string CandidatePass(LayerPlan layer) => $"{layer.KernelName}CandidatePass";

    /// <summary>
    /// The reset-before step's second pass, a method of its own: with the first pass in the same method, a wide
    /// layer's inlined activations passed the JIT's 1,024 tracked locals where Vector512 is not accelerated (two
    /// Vector256 evaluations per block pair), and the kernel ran 2× slower with its values on the stack.
    /// </summary>
    private static void WriteCandidatePass(SourceWriter writer, LayerPlan layer)
    {
        WeightSegment segment = layer.Segment("CandidateWeights");
        writer.Line($"/// <summary>Layer {layer.Index}'s second pass: n = tanh(n + W_hn (r*h)) from the first pass's results, then h = (1-z)*n + z*h in place.</summary>");
        KernelWriter.Signature(writer, $"private static void {CandidatePass(layer)}<TBlock, TTrace>(ref float weights, ref float hidden, ref float gates, ref float resetHidden, ref float updates, ref float candidates)", traced: true);
        using (writer.Block())
        {
            KernelWriter.LayoutConstants(writer, layer, new[] { segment }, bias: false);
            SourceWriter.Position slots = writer.Mark();
            writer.Line();
            KernelWriter.Tiles(writer, TilePlan.SplitStep(layer.Blocks, accumulatorsPerBlock: 1), layer.Size, blocks =>
            {
                writer.Line("// Accumulators n for each block of the tile, starting at n's input half.");
                for (int block = 0; block < blocks; block++)
                {
                    writer.Line($"TBlock n{block} = TBlock.Load(ref candidates, {KernelWriter.Units(block)});");
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
            KernelWriter.SlotConstants(writer, slots, layer);
        }
    }

    private static void WriteResetAfterBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
        => RecurrentBackward.Emit(writer, layer, context, () => RecurrentBackward.StandardStep(writer, layer, context, hiddenGradientAccumulates: true, elementwise: () =>
        {
            writer.Line($"TBlock reset = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Reset")});");
            writer.Line($"TBlock update = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Update")});");
            writer.Line($"TBlock n = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Candidate")});");
            writer.Line($"TBlock recurrentCandidate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "RecurrentCandidate")});");
            writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line("TBlock dn = dh * (one - update) * (one - (n * n)); // dL/d(nx + r*nh)");
            writer.Line($"TBlock.Store(dn * recurrentCandidate * reset * (one - reset), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)});");
            writer.Line($"TBlock.Store(dh * (before - n) * update * (one - update), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 1)});");
            writer.Line($"TBlock.Store(dn, ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 2)});");
            writer.Line($"TBlock.Store(dn * reset, ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 3)});");
            writer.Line("// The direct path h_{t-1} → z*h_{t-1}; W_hhᵀ adds the rest below.");
            writer.Line("TBlock.Store(dh * update, ref hiddenGradient, units);");
        }));

    private static void WriteResetBeforeBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
        => RecurrentBackward.Emit(
            writer,
            layer,
            context,
            () =>
            {
                RecurrentBackward.BlockLoop(writer, layer, "Through h = n + z*(h-n) and n = tanh(...): dz, dn and the direct path to h_{t-1}.", () =>
                {
                    writer.Line($"TBlock update = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Update")});");
                    writer.Line($"TBlock n = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Candidate")});");
                    writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
                    writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
                    writer.Line($"TBlock.Store(dh * (before - n) * update * (one - update), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 1)});");
                    writer.Line($"TBlock.Store(dh * (one - update) * (one - (n * n)), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 2)});");
                    writer.Line("TBlock.Store(dh * update, ref hiddenGradient, units);");
                });
                BackwardWriter.TransposedProduct(writer, layer, layer.Segment("CandidateWeights"), "d(r*h)", "stepGradients", "resetGradient", accumulate: false);
                RecurrentBackward.BlockLoop(writer, layer, "Through r*h: dr, and the path through r*h to h_{t-1}.", () =>
                {
                    writer.Line($"TBlock reset = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Reset")});");
                    writer.Line("TBlock before = TBlock.Load(ref hiddenBefore, units);");
                    writer.Line("TBlock resetHiddenGradient = TBlock.Load(ref resetGradient, units);");
                    writer.Line($"TBlock.Store(resetHiddenGradient * before * reset * (one - reset), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)});");
                    writer.Line("TBlock.Store(TBlock.MultiplyAdd(resetHiddenGradient, reset, TBlock.Load(ref hiddenGradient, units)), ref hiddenGradient, units);");
                });
                RecurrentBackward.SendBack(writer, layer, context, hiddenGradientAccumulates: true);
            },
            beforeSteps: () => KernelWriter.StackScratch(writer, "resetGradient", layer.PaddedSize, "dL/d(r*h) of the current step."));
}
