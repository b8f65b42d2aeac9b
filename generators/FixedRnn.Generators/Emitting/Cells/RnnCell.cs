using System;
using System.Collections.Generic;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>A vanilla (Elman) RNN layer, <c>h = act(W_ih x + b_ih + W_hh h + b_hh)</c>, with tanh or ReLU as PyTorch's <c>nn.RNN</c>.</summary>
internal sealed class RnnCell : RecurrentCell
{
    private static readonly RnnCell TanhForm = new(Activation.Tanh);
    private static readonly RnnCell ReluForm = new(Activation.Relu);

    private static readonly Accumulator[] PreActivation = { new("a", "PreActivation") };

    private static readonly BackwardView[] Views = { new("hiddenAfter", "hiddens", 1) };

    private readonly Activation _activation;
    private readonly SegmentShape[] _segments;

    private RnnCell(Activation activation)
    {
        _activation = activation;
        _segments = new[] { InputSegment(), RecurrentSegment(new[] { 0 }, new[] { 0 }) };
    }

    /// <summary>The descriptor of the activation an <c>[Rnn]</c> declares; the parser admits only tanh and ReLU.</summary>
    public static RnnCell Of(Activation activation) => activation switch
    {
        Activation.Tanh => TanhForm,
        Activation.Relu => ReluForm,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "An RNN layer is tanh or ReLU."),
    };

    public override LayerKind Kind => LayerKind.Rnn;

    public override Activation Activation => _activation;

    public override string Title => $"RNN ({Name(_activation)})";

    public override string Equations => $"h = {Name(_activation)}(W_ih x + b_ih + W_hh h + b_hh).";

    public override int SourceGates => 1;

    public override IReadOnlyList<Accumulator> Accumulators => PreActivation;

    public override IReadOnlyList<SegmentShape> Segments => _segments;

    /// <summary>Nothing: its backward pass needs only the h history, which the trace keeps anyway.</summary>
    public override IReadOnlyList<string> TraceSlots => Array.Empty<string>();

    public override string TraceDescription => "Nothing beyond the h history";

    public override IReadOnlyList<BackwardView> BackwardViews => Views;

    /// <summary>tanh'(a) = 1 − h² needs it; ReLU's derivative is a mask.</summary>
    public override bool BackwardUsesOne => _activation != Activation.Relu;

    public override string PackingNote => "b_ih + b_hh fold into one bias.";

    public override string StepSummary(LayerPlan layer) => "advances h by one step";

    public override bool TilesStreams => true;

    public override void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
        => KernelWriter.SinglePassStep(writer, layer, variant, tile =>
        {
            if (_activation == Activation.Tanh)
            {
                KernelWriter.BlockGroups(writer, tile, "h = tanh(a).", group =>
                {
                    group.Activate("Tanh", "h", block => $"a{block}");
                    group.Each((block, units) => $"TBlock.Store(h{block}, ref next, {units});");
                });
                return;
            }

            writer.Line($"// h = {Name(_activation)}(a) for each block of the tile.");
            for (int block = 0; block < tile.Count; block++)
            {
                writer.Line($"TBlock.Store({KernelWriter.Activate(_activation, $"a{block}")}, ref next, {tile.UnitsOf(block)});");
            }
        });

    public override void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
        => RecurrentBackward.Emit(writer, layer, context, () => RecurrentBackward.StandardStep(writer, layer, context, hiddenGradientAccumulates: false, elementwise: () =>
        {
            writer.Line("TBlock h = TBlock.Load(ref hiddenAfter, units);");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line(_activation == Activation.Relu
                ? $"TBlock.Store(dh * TBlock.PositiveIndicator(h), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)}); // relu'(a) = [h > 0]"
                : $"TBlock.Store(dh * (one - (h * h)), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)}); // tanh'(a) = 1 - h²");
        }));

    internal static string Name(Activation activation) => activation.ToString().ToLowerInvariant();
}
