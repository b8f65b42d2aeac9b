using System;
using System.Collections.Generic;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>
/// Everything specific to one cell kind: its gates and their order, the accumulators a block keeps and how the
/// framework biases fold into them, its packed weight segments, its state vectors, what it records for the
/// backward pass, its step and backward bodies, its equations, its PyTorch tensors and its initialization rule.
/// The shared machinery (planner, tiling, kernel frames, trace, loaders) asks a cell through these members and
/// never compares kinds; <see cref="For"/> is the one place that maps a kind to its descriptor.
/// </summary>
internal abstract class Cell
{
    /// <summary>
    /// The descriptor of a layer kind in its declared form; <paramref name="resetAfter"/> and <paramref name="activation"/>
    /// are <see langword="null"/> when the declaration leaves them to the default; <paramref name="peepholes"/> and
    /// <paramref name="projects"/> (a <c>ProjectionSize</c>) are an LSTM's.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A kind without a descriptor: a new kind must add one here.</exception>
    public static Cell For(LayerKind kind, bool? resetAfter, Activation? activation, bool peepholes = false, bool projects = false) => kind switch
    {
        LayerKind.Lstm => LstmCell.Of(peepholes, projects),
        LayerKind.Gru => GruCell.Of(resetAfter ?? true),
        LayerKind.Rnn => RnnCell.Of(activation ?? Activation.Tanh),
        LayerKind.Dense => DenseCell.Of(activation ?? Activation.Identity),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No cell descriptor for this layer kind."),
    };

    public abstract LayerKind Kind { get; }

    /// <summary>The GRU form this descriptor computes; <see langword="true"/> for kinds without forms.</summary>
    public virtual bool ResetAfter => true;

    /// <summary>Whether an LSTM has peephole connections (see <see cref="LstmCell"/>); <see langword="false"/> for every other kind.</summary>
    public virtual bool Peepholes => false;

    /// <summary>
    /// Whether h is a projection of the cell's output (PyTorch's <c>proj_size</c>): the cell then has a segment of
    /// <see cref="SegmentSource.Projection"/> and a trace array recording what it multiplies.
    /// </summary>
    public virtual bool Projects => false;

    /// <summary>The nonlinearity of an RNN or Dense layer; <see cref="Activation.Identity"/> for the gated cells, whose gates fix theirs.</summary>
    public virtual Activation Activation => Activation.Identity;

    /// <summary>The kind as comments and docs name it: <c>LSTM</c>, <c>GRU (reset-after)</c>, <c>RNN (tanh)</c>.</summary>
    public abstract string Title { get; }

    /// <summary>A recurrent layer carries state from step to step; otherwise it is the model's head and comes last.</summary>
    public abstract bool IsRecurrent { get; }

    /// <summary>The layer's equations, for the model's XML docs.</summary>
    public abstract string Equations { get; }

    // ---- Layout -------------------------------------------------------------------------------------------

    /// <summary>Gates stacked in the framework tensors: rows of <c>weight_ih</c> are <c>SourceGates × Size</c>.</summary>
    public abstract int SourceGates { get; }

    /// <summary>The accumulators a block keeps in registers, one per gate pre-activation, in bias-slot order.</summary>
    public abstract IReadOnlyList<Accumulator> Accumulators { get; }

    /// <summary>Accumulators that the bias starts (and whose pre-activation gradients the backward pass stores).</summary>
    public virtual int BiasSlots => Accumulators.Count;

    /// <summary>The packed weight matrices, in storage order; the first multiplies the layer's input.</summary>
    public abstract IReadOnlyList<SegmentShape> Segments { get; }

    /// <summary>How the framework's bias vectors fold into the bias slots: terms that land on one slot are added.</summary>
    public abstract IReadOnlyList<BiasTerm> BiasTerms { get; }

    /// <summary>The layer's vectors in <c>State</c>, h first; none for a head.</summary>
    public abstract IReadOnlyList<(string Name, string Symbol)> StateVectors { get; }

    // ---- Step ---------------------------------------------------------------------------------------------

    /// <summary>What one step does, for the kernel's summary: <c>advances h and c by one step</c>.</summary>
    public abstract string StepSummary(LayerPlan layer);

    /// <summary>Writes the layer's step kernel: a method named <see cref="LayerPlan.KernelName"/> (plus the variant's suffix).</summary>
    public abstract void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant);

    /// <summary>
    /// Whether <see cref="WriteStep"/> also writes the batched kernel of a stream view of the layer
    /// (<see cref="LayerPlan.StreamView"/>): a step that is one pass of register tiles, each finished lane by lane
    /// (<see cref="KernelWriter.SinglePassStep"/>).
    /// </summary>
    public virtual bool TilesStreams => false;

    // ---- Training -----------------------------------------------------------------------------------------

    /// <summary>The vectors a block records each step for the backward pass, in record order.</summary>
    public abstract IReadOnlyList<string> TraceSlots { get; }

    /// <summary>What <see cref="TraceSlots"/> hold, for the trace's docs: <c>The activated gates i, f, g, o</c>.</summary>
    public abstract string TraceDescription { get; }

    /// <summary>Per-step vectors the cell records besides its gates and state (the reset-before GRU's r*h).</summary>
    public virtual IReadOnlyList<TraceArray> TraceArrays => Array.Empty<TraceArray>();

    /// <summary>Writes the layer's backward kernel, <c>{KernelName}Backward</c>.</summary>
    public abstract void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context);

    /// <summary>
    /// The per-step views of the trace the recurrent backward step reads, besides the gates: for example h before the
    /// step (<c>hiddenBefore</c>, from history <c>hiddens</c>, offset 0) or c after it (<c>cellAfter</c>, offset 1).
    /// </summary>
    public virtual IReadOnlyList<BackwardView> BackwardViews => Array.Empty<BackwardView>();

    /// <summary>Whether the backward step uses the constant <c>one</c> (for 1 − x and x(1 − x)).</summary>
    public virtual bool BackwardUsesOne => true;

    // ---- Interop ------------------------------------------------------------------------------------------

    /// <summary>The PyTorch module whose parameters the layer has: <c>nn.LSTM</c>-like or <c>nn.Linear</c>.</summary>
    public abstract PyTorchModule Module { get; }

    /// <summary>The layer's PyTorch parameters with their shapes, in <c>state_dict</c> order.</summary>
    public abstract IReadOnlyList<PyTorchTensor> PyTorchTensors(LayerPlan layer);

    /// <summary>How the PyTorch tensors map onto the packed layout, for the loader's comment.</summary>
    public abstract string PackingNote { get; }

    /// <summary>
    /// The expression that draws <paramref name="tensor"/> afresh, in PyTorch's layout, for <c>Initialize</c>;
    /// <c>scheme</c> and <c>random</c> are in scope.
    /// </summary>
    public abstract string Initializer(LayerPlan layer, PyTorchTensor tensor);
}

/// <summary>The two step kernels of a layer: one reads the step's input, the other (Forward's, layer 0 only) a precomputed <c>b + W_ih x</c> row.</summary>
internal enum StepVariant
{
    FromInput,
    FromProjection,
}

/// <summary>An accumulator: its symbol in the equations (<c>f</c>) and its name in constants (<c>ForgetGate</c>).</summary>
internal sealed record Accumulator(string Symbol, string Name);

/// <summary>A packed weight matrix before planning: what the planner needs to place it.</summary>
/// <param name="Name">The name of its offset constant: <c>InputWeights</c>.</param>
/// <param name="Equation">The product it computes: <c>W_ih x</c>.</param>
/// <param name="Source">What its rows multiply, which also sets their count.</param>
/// <param name="Targets">For each gate stored per row, the accumulator it feeds.</param>
/// <param name="Tensor">The PyTorch parameter it is packed from.</param>
/// <param name="SourceGates">For each gate stored per row, its gate in <paramref name="Tensor"/>.</param>
/// <param name="Intermediate">For <see cref="SegmentSource.Intermediate"/>: the <see cref="TraceArray"/> that records the vector it multiplies.</param>
internal sealed record SegmentShape(string Name, string Equation, SegmentSource Source, EquatableArray<int> Targets, string Tensor, EquatableArray<int> SourceGates, string? Intermediate = null);

/// <summary>Adds gate <paramref name="SourceGate"/> of PyTorch's <paramref name="Tensor"/> into bias slot <paramref name="Slot"/>.</summary>
internal sealed record BiasTerm(string Tensor, int SourceGate, int Slot);

/// <summary>A per-step vector of the trace, <c>[steps][padded size]</c>, stored as <c>{Name}{layer}</c> and passed to step kernels as <paramref name="Parameter"/>.</summary>
internal sealed record TraceArray(string Name, string Parameter, string Description)
{
    /// <summary>The backward kernel's local for the whole history: <c>resetHiddens</c>.</summary>
    public string History => char.ToLowerInvariant(Name[0]) + Name.Substring(1) + "s";
}

/// <summary>The PyTorch module kinds, which name their parameters differently.</summary>
internal enum PyTorchModule
{
    /// <summary><c>nn.LSTM</c>, <c>nn.GRU</c>, <c>nn.RNN</c> and their <c>*Cell</c> forms: <c>weight_ih_l{k}</c>, ….</summary>
    Recurrent,

    /// <summary><c>nn.Linear</c>: <c>weight</c>, <c>bias</c>.</summary>
    Linear,
}

/// <summary>One PyTorch parameter of a layer and its shape.</summary>
internal sealed record PyTorchTensor(string Name, EquatableArray<int> Shape)
{
    public string ShapeList => string.Join(", ", Shape);
}

/// <summary>What a layer's backward kernel needs from the model around it.</summary>
/// <param name="TraceType">The type in which the kernels receive the trace (its buffers).</param>
/// <param name="InputSource">A <c>ref float</c> expression for step 0's input features: the model's inputs or the h history of the layer below.</param>
/// <param name="InputStride">Floats between one step's features and the next's.</param>
internal sealed record BackwardContext(string TraceType, string InputSource, int InputStride);

/// <summary>A <c>ref float</c> local of the backward step: <paramref name="Name"/> = step t + <paramref name="Step"/> of <paramref name="History"/>.</summary>
internal sealed record BackwardView(string Name, string History, int Step);
