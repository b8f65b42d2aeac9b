using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Numerics;
using FixedRnn.Training;

namespace FixedRnn.Generators.Planning;

/// <summary>
/// Where one layer's packed weights and state live, in floats from the start of <c>Parameters</c> and of
/// <c>State</c>, and how its step is tiled. The kernels, the loaders and the trace all read offsets from here,
/// so they cannot disagree.
/// </summary>
/// <remarks>
/// Hidden units are grouped in blocks of <see cref="Block.Lanes"/> lanes (the last block zero-padded). A weight
/// segment is stored block-major, <c>[block][row][gate][lane]</c>: for one row (one input feature) the gates of a
/// block are adjacent, so a single broadcast of that feature feeds every gate accumulator of the block. Biases
/// are stored <c>[block][slot][lane]</c> and start the accumulators.
/// </remarks>
/// <param name="Index">The layer's position in the model.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="ResetAfter">For GRU: the reset-after form.</param>
/// <param name="Activation">The nonlinearity of an RNN or Dense layer (resolved to the cell's default when not declared).</param>
/// <param name="InputSize">Features it reads: the model input or the previous layer's output.</param>
/// <param name="Size">Hidden units, or outputs of a head.</param>
/// <param name="Segments">Its packed weight matrices, in the order they are stored; the first is the input's.</param>
/// <param name="Bias">Where its bias starts.</param>
/// <param name="ParameterEnd">The first float after its parameters.</param>
/// <param name="StateVectors">Its vectors in <c>State</c> (h, and c for an LSTM); none for a head.</param>
/// <param name="StepTiles">The register tiles of its step's main pass.</param>
/// <param name="WideStepTiles">
/// The tiles of a second step kernel for blocks that have 32 vector registers (x64 with AVX-512's EVEX encoding),
/// chosen at JIT time, when they make the layer one tile and the 16-register tiling does not; empty otherwise.
/// </param>
/// <param name="IsWide">Whether this is the view of the layer that <see cref="WideStepTiles"/> tile (see <see cref="WideView"/>).</param>
/// <param name="Peepholes">For LSTM: peephole connections.</param>
/// <param name="Streams">Streams this view's step kernel advances at once (see <see cref="StreamView"/>); 1 for the layer itself.</param>
/// <param name="ProjectionSize">
/// For LSTM: the units of h when it is projected (PyTorch's <c>proj_size</c>), 0 when it is not. h then has this many
/// units and c <see cref="Size"/> (<see cref="HiddenWidth"/>); <see cref="OutputWidth"/> is what the layer passes up.
/// </param>
/// <param name="ProjectionTiles">With a projection: the register tiles of the pass <c>h = W_hr m</c> over h's blocks.</param>
/// <param name="Reverse">
/// For a bidirectional layer, its reverse direction: a layer of its own (weights, state vectors, trace buffers), laid
/// out right after this one exactly as this one is, so that it runs this layer's step kernel on weights shifted by
/// <see cref="ReverseWeights"/>; <see langword="null"/> for a layer of one direction.
/// </param>
/// <param name="Merge">For a bidirectional layer: how the two directions' h combine into its output.</param>
/// <param name="IsReverse">Whether this is the reverse direction of a bidirectional layer.</param>
internal sealed record LayerPlan(
    int Index,
    LayerKind Kind,
    bool ResetAfter,
    Activation Activation,
    int InputSize,
    int Size,
    EquatableArray<WeightSegment> Segments,
    int Bias,
    int ParameterEnd,
    EquatableArray<StateVector> StateVectors,
    EquatableArray<TileGroup> StepTiles,
    EquatableArray<TileGroup> WideStepTiles,
    bool IsWide = false,
    bool Peepholes = false,
    int ProjectionSize = 0,
    EquatableArray<TileGroup> ProjectionTiles = default,
    LayerPlan? Reverse = null,
    MergeMode Merge = MergeMode.Concat,
    bool IsReverse = false,
    int Streams = 1)
{
    /// <summary>The descriptor of this layer's cell kind: everything specific to the kind comes from it.</summary>
    public Cell Cell => Cell.For(Kind, ResetAfter, Activation, Peepholes, Projects);

    /// <summary>Whether h is a projection of the cell's output (an LSTM with <c>proj_size</c>).</summary>
    public bool Projects => ProjectionSize > 0;

    /// <summary>
    /// The units of h (of each direction): the hidden units unless h is projected; a head's outputs. What the layer passes
    /// up is <see cref="OutputWidth"/>.
    /// </summary>
    public int HiddenWidth => Projects ? ProjectionSize : Size;

    /// <summary><see cref="HiddenWidth"/> in whole blocks: the floats between one step's h and the next in the trace.</summary>
    public int PaddedHidden => (HiddenWidth + Block.Lanes - 1) / Block.Lanes * Block.Lanes;

    public bool IsRecurrent => Cell.IsRecurrent;

    public int Blocks => (Size + Block.Lanes - 1) / Block.Lanes;

    public int PaddedSize => Blocks * Block.Lanes;

    public string KernelName => Streams > 1 ? $"Layer{Tag}Streams{Streams}" : IsWide ? $"Layer{Tag}Wide" : $"Layer{Tag}";

    /// <summary>What names this direction's kernels, state vectors and trace buffers: <c>1</c>, or <c>1Reverse</c> for a reverse direction.</summary>
    public string Tag => IsReverse ? $"{Index}Reverse" : $"{Index}";

    /// <summary>Whether the layer has a reverse direction.</summary>
    public bool IsBidirectional => Reverse is not null;

    /// <summary>The layer's directions: itself, then its reverse direction if it has one.</summary>
    public System.Collections.Generic.IEnumerable<LayerPlan> Directions => Reverse is null ? new[] { this } : new[] { this, Reverse };

    /// <summary>Floats from this direction's weights to its reverse direction's, which are laid out alike.</summary>
    public int ReverseWeights => Reverse is null ? 0 : Reverse.Segments[0].Offset - Segments[0].Offset;

    /// <summary>Features the layer passes up each step: both directions' h for a concatenating bidirectional layer, else h's.</summary>
    public int OutputWidth => IsBidirectional && Merge == MergeMode.Concat ? 2 * HiddenWidth : HiddenWidth;

    /// <summary>The layer as its wide step kernel tiles it, or <see langword="null"/> when it has none.</summary>
    public LayerPlan? WideView => WideStepTiles.Count == 0 ? null : this with { StepTiles = WideStepTiles, WideStepTiles = EquatableArray<TileGroup>.Empty, IsWide = true };

    /// <summary>
    /// The layer as the batched step kernel for <paramref name="streams"/> streams tiles it: each tile holds the
    /// accumulators of its blocks for every stream, so each weight vector, loaded once, feeds all the streams' FMAs.
    /// </summary>
    public LayerPlan StreamView(int streams) => this with
    {
        StepTiles = TilePlan.SplitStreams(Blocks, Cell.Accumulators.Count, streams).ToEquatableArray(),
        WideStepTiles = EquatableArray<TileGroup>.Empty,
        IsWide = false,
        Streams = streams,
    };

    /// <summary>
    /// Whether the step kernel saturates each input feature as it broadcasts it: layer 0 in a single tile, where each
    /// feature is broadcast once anyway, rather than <c>StepCore</c> saturating the input into a scratch vector first.
    /// </summary>
    public bool ClampsInput => Index == 0 && IsSingleTile;

    /// <summary>Whether the step's main pass is one register tile: every read of the old h precedes every write of the new.</summary>
    public bool IsSingleTile => StepTiles.Count == 1 && StepTiles[0].Count == 1;

    /// <summary>The segment that multiplies the layer's input.</summary>
    public WeightSegment InputWeights => Segments[0];

    public WeightSegment Segment(string name) => Segments.First(segment => segment.Name == name);

    /// <summary>h: what a recurrent layer passes up and the model outputs from its top layer.</summary>
    public StateVector Hidden => StateVectors[0];

    /// <summary>Floats between one block's bias (or pre-activation gradients) and the next's.</summary>
    public int BiasBlockStride => Cell.BiasSlots * Block.Lanes;

    /// <summary>Floats one step of pre-activation gradients takes: laid out like the bias, <c>[block][slot][lane]</c>.</summary>
    public int GradientStride => Blocks * BiasBlockStride;

    /// <summary>Floats between one block's recorded vectors and the next's.</summary>
    public int RecordBlockStride => Cell.TraceSlots.Count * Block.Lanes;

    /// <summary>Floats one step of recorded vectors takes.</summary>
    public int RecordStride => Blocks * RecordBlockStride;

    /// <summary>Whether the recording forward pass stores vectors of this layer for the backward pass.</summary>
    public bool Records => Cell.TraceSlots.Count > 0;

    /// <summary>Floats between one block's per-step gradients of <paramref name="segment"/>'s outputs and the next's.</summary>
    /// <remarks>A gate segment's outputs are the pre-activations, laid out like the bias; a projection's are h, a plain vector.</remarks>
    public int GradientBlockStride(WeightSegment segment) => segment.Source == SegmentSource.Projection ? Block.Lanes : BiasBlockStride;

    /// <summary>A short description for comments and docs, such as <c>LSTM 8 → 32</c> or <c>LSTM (projection) 8 → 40 → 12</c>.</summary>
    public string Describe()
    {
        string sizes = Projects ? $"{InputSize} → {Size} → {ProjectionSize}" : $"{InputSize} → {Size}";
        return IsBidirectional
            ? $"bidirectional {Cell.Title} {sizes} ({MergeName})"
            : IsReverse ? $"{Cell.Title} {sizes}, reverse direction" : $"{Cell.Title} {sizes}";
    }

    /// <summary>The merge as comments name it: <c>concat</c>, <c>sum</c>, <c>average</c>, <c>multiply</c>.</summary>
    public string MergeName => Merge.ToString().ToLowerInvariant();
}

/// <summary>One packed weight matrix: <c>[block][row][gate][lane]</c> at <see cref="Offset"/>.</summary>
/// <param name="Name">The name of its offset constant in the emitted kernels.</param>
/// <param name="Equation">The product it computes, for comments: <c>W_ih x</c>.</param>
/// <param name="Offset">Its first float within <c>Parameters</c>.</param>
/// <param name="Rows">Input features it reads.</param>
/// <param name="Targets">For each gate stored per row, the accumulator it feeds.</param>
/// <param name="Tensor">The PyTorch parameter it is packed from, without module prefix or layer suffix.</param>
/// <param name="SourceGates">For each gate stored per row, its gate index in <paramref name="Tensor"/>.</param>
/// <param name="Source">What its rows multiply.</param>
/// <param name="Intermediate">For <see cref="SegmentSource.Intermediate"/> and <see cref="SegmentSource.Projection"/>: the trace array recording what it multiplies.</param>
/// <param name="Units">The units its blocks cover, the lanes of its products: the hidden units, or h's for a projection.</param>
internal sealed record WeightSegment(string Name, string Equation, int Offset, int Rows, EquatableArray<int> Targets, string Tensor, EquatableArray<int> SourceGates, SegmentSource Source, string? Intermediate, int Units)
{
    public int GatesPerRow => Targets.Count;

    /// <summary>Blocks of <see cref="Block.Lanes"/> lanes over <see cref="Units"/>, the last zero-padded.</summary>
    public int Blocks => (Units + Block.Lanes - 1) / Block.Lanes;

    /// <summary>Floats between one row and the next within a block.</summary>
    public int RowStride => GatesPerRow * Block.Lanes;

    /// <summary>Floats between one block and the next.</summary>
    public int BlockStride => Rows * RowStride;

    /// <summary>Floats it takes in <c>Parameters</c>.</summary>
    public int Length => Blocks * BlockStride;

    /// <summary>The matrix symbol for comments: <c>W_ih</c> of <c>W_ih x</c>.</summary>
    public string Symbol => Equation.Split(' ')[0];
}

/// <summary>What the rows of a weight segment multiply.</summary>
internal enum SegmentSource
{
    /// <summary>The layer's input: the model's features or the layer below's h.</summary>
    Input,

    /// <summary>The layer's own h of the previous step.</summary>
    Hidden,

    /// <summary>A vector the cell computes within the step (the reset-before GRU's r*h).</summary>
    Intermediate,

    /// <summary>
    /// The cell state, lane by lane: a diagonal matrix stored as one row (an LSTM's peepholes). It takes no part in the
    /// broadcast-FMA passes; the cell's own step and backward bodies read it and accumulate its gradient.
    /// </summary>
    Diagonal,

    /// <summary>
    /// A vector the cell computes within the step (an LSTM's <c>m = o*tanh(c)</c>), which the segment maps to h itself,
    /// <c>h = W_hr m</c> with no bias: the projection of PyTorch's <c>proj_size</c>. Its blocks cover h's units, one
    /// product per row; it takes no part in the gates' passes.
    /// </summary>
    Projection,
}

/// <summary>One vector of a layer's recurrent state, at <paramref name="Offset"/> floats from the start of <c>State</c>.</summary>
/// <param name="Name">Its name in the API and the trace: <c>Hidden</c>, <c>Cell</c>.</param>
/// <param name="Symbol">Its symbol in the equations: <c>h</c>, <c>c</c>.</param>
/// <param name="Offset">Where it starts.</param>
/// <param name="Units">Its units: the hidden size, except for a projected h.</param>
internal sealed record StateVector(string Name, string Symbol, int Offset, int Units)
{
    /// <summary><see cref="Units"/> in whole blocks: the floats it takes in <c>State</c> and per step in the trace.</summary>
    public int PaddedUnits => (Units + Block.Lanes - 1) / Block.Lanes * Block.Lanes;

    /// <summary>Its name as a kernel parameter: <c>hidden</c>, <c>cell</c>.</summary>
    public string Parameter => char.ToLowerInvariant(Name[0]) + Name.Substring(1);

    /// <summary>The backward kernel's local for its history in the trace: <c>hiddens</c>.</summary>
    public string History => Parameter + "s";

    /// <summary>The backward kernel's parameter for dL/d(this vector): <c>hiddenGradient</c>.</summary>
    public string Gradient => Parameter + "Gradient";
}

/// <summary><see cref="Count"/> consecutive tiles of <see cref="BlocksPerTile"/> blocks, from <see cref="FirstBlock"/>.</summary>
internal sealed record TileGroup(int FirstBlock, int Count, int BlocksPerTile);

/// <summary>
/// How <c>Forward</c> hoists layer 0's <c>b + W_ih x</c> out of the recurrence: chunks of <paramref name="ChunkSteps"/>
/// steps, each step a row of <paramref name="RowFloats"/> floats laid out like the bias.
/// </summary>
/// <param name="ChunkSteps">Steps per chunk, a multiple of <see cref="InputProjectionPlan.StepsPerTile"/>.</param>
/// <param name="RowFloats">Floats in one step's row.</param>
/// <param name="MultiStepTiles">The tiles of a pass over <see cref="StepsPerTile"/> steps at once.</param>
/// <param name="SingleStepTiles">The tiles of a pass over one step (the chunk's remainder).</param>
internal sealed record InputProjectionPlan(int ChunkSteps, int RowFloats, EquatableArray<TileGroup> MultiStepTiles, EquatableArray<TileGroup> SingleStepTiles)
{
    /// <summary>Steps whose accumulators a tile holds at once: 3 keeps LSTM's 4 gates × 3 steps, 3 broadcasts and a weight within AVX2's 16 registers.</summary>
    public const int StepsPerTile = 3;
}

/// <summary>The planner's verdict on one model: the plan (when it can be emitted) and every diagnostic of the model.</summary>
internal sealed record PlanResult(ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
