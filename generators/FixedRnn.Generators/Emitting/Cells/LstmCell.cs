using System.Collections.Generic;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>An LSTM layer: PyTorch's gates i, f, g, o; <c>c = f*c + i*g</c>, <c>h = o*tanh(c)</c>.</summary>
internal sealed class LstmCell : RecurrentCell
{
    public static readonly LstmCell Instance = new();

    private static readonly Accumulator[] GateAccumulators =
    {
        new("i", "InputGate"), new("f", "ForgetGate"), new("g", "Candidate"), new("o", "OutputGate"),
    };

    private static readonly (string Name, string Symbol)[] HiddenAndCell = { ("Hidden", "h"), ("Cell", "c") };

    private static readonly string[] Recorded = { "InputGate", "ForgetGate", "Candidate", "OutputGate" };

    private static readonly BackwardView[] Views = { new("cellBefore", "cells", 0), new("cellAfter", "cells", 1) };

    private readonly SegmentShape[] _segments;

    private LstmCell() => _segments = new[] { InputSegment(), RecurrentSegment(new[] { 0, 1, 2, 3 }, new[] { 0, 1, 2, 3 }) };

    public override LayerKind Kind => LayerKind.Lstm;

    public override string Title => "LSTM";

    public override string Equations => "i, f, g, o = σ, σ, tanh, σ(W_ih x + b_ih + W_hh h + b_hh); c = f*c + i*g; h = o*tanh(c).";

    public override int SourceGates => 4;

    public override IReadOnlyList<Accumulator> Accumulators => GateAccumulators;

    public override IReadOnlyList<SegmentShape> Segments => _segments;

    public override IReadOnlyList<(string Name, string Symbol)> StateVectors => HiddenAndCell;

    public override IReadOnlyList<string> TraceSlots => Recorded;

    public override string TraceDescription => "The activated gates i, f, g, o";

    public override IReadOnlyList<BackwardView> BackwardViews => Views;

    public override string PackingNote => "gates i, f, g, o in PyTorch's order; b_ih + b_hh fold into one bias.";

    /// <summary>Keras' <c>unit_forget_bias</c>: f, PyTorch's and Keras' second gate.</summary>
    protected override int? UnitBiasGate => 1;

    public override string StepSummary(LayerPlan layer) => "advances h and c by one step";

    public override void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
        => KernelWriter.SinglePassStep(writer, layer, variant, blocks => KernelWriter.BlockGroups(writer, blocks, "c = f*c + i*g; h = o*tanh(c).", group =>
        {
            group.Activate("Sigmoid", "inputGate", block => $"i{block}");
            group.Activate("Sigmoid", "forgetGate", block => $"f{block}");
            group.Activate("Tanh", "candidate", block => $"g{block}");
            group.Activate("Sigmoid", "outputGate", block => $"o{block}");
            group.Each((block, units) => $"TBlock c{block} = TBlock.MultiplyAdd(forgetGate{block}, TBlock.Load(ref cell, {units}), inputGate{block} * candidate{block});");
            group.Each((block, units) => $"TBlock.Store(c{block}, ref cell, {units});");
            group.Activate("Tanh", "tanhCell", block => $"c{block}");
            group.Each((block, units) => $"TBlock.Store(outputGate{block} * tanhCell{block}, ref next, {units});");
            foreach (int block in group.Blocks)
            {
                KernelWriter.Record(writer, layer, block, firstSlot: 0, $"inputGate{block}", $"forgetGate{block}", $"candidate{block}", $"outputGate{block}");
            }
        }));

    public override void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
        => RecurrentBackward.Emit(writer, layer, context, () => RecurrentBackward.StandardStep(writer, layer, context, hiddenGradientAccumulates: false, elementwise: () =>
        {
            writer.Line($"TBlock inputGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "InputGate")});");
            writer.Line($"TBlock forgetGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "ForgetGate")});");
            writer.Line($"TBlock candidate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Candidate")});");
            writer.Line($"TBlock outputGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "OutputGate")});");
            writer.Line("TBlock tanhCell = TBlock.Tanh(TBlock.Load(ref cellAfter, units));");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line("// dc collects the path through h = o*tanh(c) and the one from the next step's c.");
            writer.Line("TBlock dc = TBlock.MultiplyAdd(dh * outputGate, one - (tanhCell * tanhCell), TBlock.Load(ref cellGradient, units));");
            writer.Line("TBlock.Store(dc * forgetGate, ref cellGradient, units);");
            writer.Line($"TBlock.Store(dc * candidate * inputGate * (one - inputGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)});");
            writer.Line($"TBlock.Store(dc * TBlock.Load(ref cellBefore, units) * forgetGate * (one - forgetGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 1)});");
            writer.Line($"TBlock.Store(dc * inputGate * (one - (candidate * candidate)), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 2)});");
            writer.Line($"TBlock.Store(dh * tanhCell * outputGate * (one - outputGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 3)});");
        }));
}
