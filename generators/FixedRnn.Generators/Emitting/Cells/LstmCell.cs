using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>
/// An LSTM layer: PyTorch's gates i, f, g, o; <c>c = f*c + i*g</c>, <c>h = o*tanh(c)</c>. With peepholes (ONNX's
/// <c>P</c>, Keras' <c>PeepholeLSTMCell</c>), a diagonal weight per unit adds <c>p_i*c_{t-1}</c> to i and
/// <c>p_f*c_{t-1}</c> to f before they activate, and <c>p_o*c_t</c> to o once the new c is known. With a projection
/// (PyTorch's <c>proj_size</c>), h is <c>W_hr m</c>, <c>m = o*tanh(c)</c>: h has the projection's units, which the
/// recurrent weights read and the layer passes up, while c keeps the hidden units.
/// </summary>
internal sealed class LstmCell : RecurrentCell
{
    /// <summary>The trace array that records m = o*tanh(c), what the projection multiplies (declared before the forms, whose constructors read it).</summary>
    private static readonly TraceArray[] CellOutputs = { new("CellOutput", "cellOutput", "cell outputs m = o*tanh(c) before the projection") };

    public static readonly LstmCell Instance = new(peepholes: false, projects: false);

    public static readonly LstmCell WithPeepholes = new(peepholes: true, projects: false);

    public static readonly LstmCell Projected = new(peepholes: false, projects: true);

    /// <summary>The peephole weights' tensor: p_i, p_f, p_o stacked, <c>[3·H]</c>.</summary>
    public const string PeepholeTensor = "weight_peephole";

    /// <summary>PyTorch's projection weight, <c>[P, H]</c>: h = W_hr m.</summary>
    public const string ProjectionTensor = "weight_hr";


    private static readonly Accumulator[] GateAccumulators =
    {
        new("i", "InputGate"), new("f", "ForgetGate"), new("g", "Candidate"), new("o", "OutputGate"),
    };

    private static readonly (string Name, string Symbol)[] HiddenAndCell = { ("Hidden", "h"), ("Cell", "c") };

    private static readonly string[] Recorded = { "InputGate", "ForgetGate", "Candidate", "OutputGate" };

    private static readonly BackwardView[] Views = { new("cellBefore", "cells", 0), new("cellAfter", "cells", 1) };

    /// <summary>Where each peephole weight sits within a block's row of the diagonal segment: i, f, o, the accumulators 0, 1, 3.</summary>
    private const int PeepholeInput = 0, PeepholeForget = 1, PeepholeOutput = 2;

    private readonly SegmentShape[] _segments;

    private LstmCell(bool peepholes, bool projects)
    {
        Peepholes = peepholes;
        Projects = projects;
        var segments = new List<SegmentShape> { InputSegment(), RecurrentSegment(new[] { 0, 1, 2, 3 }, new[] { 0, 1, 2, 3 }) };
        if (peepholes)
        {
            segments.Add(new SegmentShape("Peepholes", "p ⊙ c", SegmentSource.Diagonal, new[] { 0, 1, 3 }.ToEquatableArray(), PeepholeTensor, new[] { 0, 1, 2 }.ToEquatableArray()));
        }

        if (projects)
        {
            segments.Add(new SegmentShape("Projection", "W_hr m", SegmentSource.Projection, new[] { 0 }.ToEquatableArray(), ProjectionTensor, new[] { 0 }.ToEquatableArray(), CellOutputs[0].Name));
        }

        _segments = segments.ToArray();
    }

    /// <summary>The LSTM form. Peepholes with a projection are diagnosed (FRNN016) before any layer is planned.</summary>
    public static LstmCell Of(bool peepholes, bool projects = false) => projects ? Projected : peepholes ? WithPeepholes : Instance;

    public override bool Peepholes { get; }

    public override bool Projects { get; }

    public override LayerKind Kind => LayerKind.Lstm;

    public override string Title => Peepholes ? "LSTM (peepholes)" : Projects ? "LSTM (projection)" : "LSTM";

    public override string Equations => Peepholes
        ? "i, f = σ(W_ih x + b_ih + W_hh h + b_hh + p_{i,f}*c); g = tanh(…); c' = f*c + i*g; o = σ(W_ih x + b_ih + W_hh h + b_hh + p_o*c'); h = o*tanh(c')."
        : Projects
        ? "i, f, g, o = σ, σ, tanh, σ(W_ih x + b_ih + W_hh h + b_hh); c = f*c + i*g; h = W_hr (o*tanh(c)), h of the projection's units."
        : "i, f, g, o = σ, σ, tanh, σ(W_ih x + b_ih + W_hh h + b_hh); c = f*c + i*g; h = o*tanh(c).";

    public override IReadOnlyList<TraceArray> TraceArrays => Projects ? CellOutputs : base.TraceArrays;

    public override int SourceGates => 4;

    public override IReadOnlyList<Accumulator> Accumulators => GateAccumulators;

    public override IReadOnlyList<SegmentShape> Segments => _segments;

    public override IReadOnlyList<(string Name, string Symbol)> StateVectors => HiddenAndCell;

    public override IReadOnlyList<string> TraceSlots => Recorded;

    public override string TraceDescription => "The activated gates i, f, g, o";

    public override IReadOnlyList<BackwardView> BackwardViews => Views;

    public override string PackingNote => Peepholes
        ? "gates i, f, g, o in PyTorch's order; b_ih + b_hh fold into one bias; p_i, p_f, p_o lane by lane."
        : Projects
        ? "gates i, f, g, o in PyTorch's order; b_ih + b_hh fold into one bias; weight_hr blocked over h's units."
        : "gates i, f, g, o in PyTorch's order; b_ih + b_hh fold into one bias.";

    public override IReadOnlyList<PyTorchTensor> PyTorchTensors(LayerPlan layer)
    {
        IReadOnlyList<PyTorchTensor> tensors = base.PyTorchTensors(layer);
        return Peepholes
            ? tensors.Concat(new[] { new PyTorchTensor(PeepholeTensor, new[] { 3 * layer.Size }.ToEquatableArray()) }).ToArray()
            : Projects
            ? tensors.Concat(new[] { new PyTorchTensor(ProjectionTensor, new[] { layer.ProjectionSize, layer.Size }.ToEquatableArray()) }).ToArray()
            : tensors;
    }

    public override string Initializer(LayerPlan layer, PyTorchTensor tensor)
        => Projects
            ? $"Initializers.CreateProjectedLstmTensor(scheme, inputSize: {layer.InputSize}, hiddenSize: {layer.Size}, projectionSize: {layer.ProjectionSize}, \"{tensor.Name}\", random)"
            : base.Initializer(layer, tensor);

    /// <summary>Keras' <c>unit_forget_bias</c>: f, PyTorch's and Keras' second gate.</summary>
    protected override int? UnitBiasGate => 1;

    public override string StepSummary(LayerPlan layer) => "advances h and c by one step";

    /// <summary>A projected LSTM's h = W_hr m needs every unit's m first: no batched kernel.</summary>
    public override bool TilesStreams => !Projects;

    public override void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
        => KernelWriter.SinglePassStep(writer, layer, variant, tile => KernelWriter.BlockGroups(writer, tile, Peepholes ? "c = f*c + i*g; h = o*tanh(c), peepholes in." : "c = f*c + i*g; h = o*tanh(c).", group =>
        {
            if (Peepholes)
            {
                group.Each((block, units) => $"TBlock cellBefore{block} = TBlock.Load(ref cell, {units});");
                group.Each((block, _) => $"i{block} = TBlock.MultiplyAdd({Peephole(layer, group.TileBlock(block), PeepholeInput)}, cellBefore{block}, i{block});");
                group.Each((block, _) => $"f{block} = TBlock.MultiplyAdd({Peephole(layer, group.TileBlock(block), PeepholeForget)}, cellBefore{block}, f{block});");
            }

            group.Activate("Sigmoid", "inputGate", block => $"i{block}");
            group.Activate("Sigmoid", "forgetGate", block => $"f{block}");
            group.Activate("Tanh", "candidate", block => $"g{block}");
            if (!Peepholes)
            {
                group.Activate("Sigmoid", "outputGate", block => $"o{block}");
            }

            group.Each((block, units) => $"TBlock c{block} = TBlock.MultiplyAdd(forgetGate{block}, {(Peepholes ? $"cellBefore{block}" : $"TBlock.Load(ref cell, {units})")}, inputGate{block} * candidate{block});");
            group.Each((block, units) => $"TBlock.Store(c{block}, ref cell, {units});");
            if (Peepholes)
            {
                // o sees the new c: its peephole waits for it.
                group.Each((block, _) => $"o{block} = TBlock.MultiplyAdd({Peephole(layer, group.TileBlock(block), PeepholeOutput)}, c{block}, o{block});");
                group.Activate("Sigmoid", "outputGate", block => $"o{block}");
            }

            group.Activate("Tanh", "tanhCell", block => $"c{block}");
            group.Each((block, units) => $"TBlock.Store(outputGate{block} * tanhCell{block}, ref next, {units});");
            foreach (int block in group.Blocks)
            {
                KernelWriter.Record(writer, layer, block, firstSlot: 0, $"inputGate{block}", $"forgetGate{block}", $"candidate{block}", $"outputGate{block}");
            }
        }));

    /// <summary>The load of peephole weight <paramref name="slot"/> (i, f, o) for block <paramref name="block"/> of the tile.</summary>
    private static string Peephole(LayerPlan layer, int block, int slot)
    {
        WeightSegment peepholes = layer.Segment("Peepholes");
        return $"TBlock.Load(ref weights, {KernelWriter.Sum(peepholes.Name, $"(block * {peepholes.BlockStride})", (block * peepholes.BlockStride) + (slot * Block.Lanes))})";
    }

    public override void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
        => RecurrentBackward.Emit(writer, layer, context, () => RecurrentBackward.StandardStep(writer, layer, context, hiddenGradientAccumulates: false, elementwise: () =>
        {
            writer.Line($"TBlock inputGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "InputGate")});");
            writer.Line($"TBlock forgetGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "ForgetGate")});");
            writer.Line($"TBlock candidate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "Candidate")});");
            writer.Line($"TBlock outputGate = TBlock.Load(ref stepGates, {KernelWriter.RecordOffset(writer, "OutputGate")});");
            writer.Line("TBlock tanhCell = TBlock.Tanh(TBlock.Load(ref cellAfter, units));");
            if (Projects)
            {
                writer.Line("// dh of o*tanh(c) is dL/dm, which the projection h = W_hr m handed back.");
                writer.Line($"TBlock dh = TBlock.Load(ref {RecurrentBackward.ProjectedGradient(layer)}, units);");
            }
            else
            {
                writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            }

            if (!Peepholes)
            {
                writer.Line("// dc collects the path through h = o*tanh(c) and the one from the next step's c.");
                writer.Line("TBlock dc = TBlock.MultiplyAdd(dh * outputGate, one - (tanhCell * tanhCell), TBlock.Load(ref cellGradient, units));");
                writer.Line("TBlock.Store(dc * forgetGate, ref cellGradient, units);");
                writer.Line($"TBlock.Store(dc * candidate * inputGate * (one - inputGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)});");
                writer.Line($"TBlock.Store(dc * TBlock.Load(ref cellBefore, units) * forgetGate * (one - forgetGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 1)});");
                writer.Line($"TBlock.Store(dc * inputGate * (one - (candidate * candidate)), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 2)});");
                writer.Line($"TBlock.Store(dh * tanhCell * outputGate * (one - outputGate), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 3)});");
                return;
            }

            WeightSegment peepholes = layer.Segment("Peepholes");
            writer.Line($"NUInt peepholes = {peepholes.Name} + (block * {peepholes.BlockStride});");
            writer.Line("TBlock cellBeforeStep = TBlock.Load(ref cellBefore, units);");
            writer.Line("TBlock cellAfterStep = TBlock.Load(ref cellAfter, units);");
            writer.Line("TBlock outputGradient = dh * tanhCell * outputGate * (one - outputGate);");
            writer.Line("// dc collects the paths through h = o*tanh(c), through o's peephole and from the next step's c.");
            writer.Line($"TBlock dc = TBlock.MultiplyAdd(outputGradient, TBlock.Load(ref weights, peepholes + {PeepholeOutput * Block.Lanes}), TBlock.MultiplyAdd(dh * outputGate, one - (tanhCell * tanhCell), TBlock.Load(ref cellGradient, units)));");
            writer.Line("TBlock inputGradient = dc * candidate * inputGate * (one - inputGate);");
            writer.Line("TBlock forgetGradient = dc * cellBeforeStep * forgetGate * (one - forgetGate);");
            writer.Line("// c_{t-1} reaches the loss through f*c and through the peepholes of i and f.");
            writer.Line($"TBlock.Store(TBlock.MultiplyAdd(forgetGradient, TBlock.Load(ref weights, peepholes + {PeepholeForget * Block.Lanes}), TBlock.MultiplyAdd(inputGradient, TBlock.Load(ref weights, peepholes + {PeepholeInput * Block.Lanes}), dc * forgetGate)), ref cellGradient, units);");
            writer.Line($"TBlock.Store(inputGradient, ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 0)});");
            writer.Line($"TBlock.Store(forgetGradient, ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 1)});");
            writer.Line($"TBlock.Store(dc * inputGate * (one - (candidate * candidate)), ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 2)});");
            writer.Line($"TBlock.Store(outputGradient, ref stepGradients, {KernelWriter.GradientOffset(writer, layer, 3)});");
            writer.Line("// dp += d(pre-activation) * the c it saw, step by step: i and f saw c_{t-1}, o saw c_t.");
            PeepholeGradient(writer, PeepholeInput, "inputGradient", "cellBeforeStep");
            PeepholeGradient(writer, PeepholeForget, "forgetGradient", "cellBeforeStep");
            PeepholeGradient(writer, PeepholeOutput, "outputGradient", "cellAfterStep");
        }));

    private static void PeepholeGradient(SourceWriter writer, int slot, string gradient, string cell)
    {
        string offset = slot == 0 ? "peepholes" : $"peepholes + {slot * Block.Lanes}";
        writer.Line($"TBlock.Store(TBlock.MultiplyAdd({gradient}, {cell}, TBlock.Load(ref gradients, {offset})), ref gradients, {offset});");
    }
}
