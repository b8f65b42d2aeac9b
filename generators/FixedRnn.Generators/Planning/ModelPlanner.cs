using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Diagnostics;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Numerics;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedRnn.Generators.Planning;

/// <summary>
/// Turns a parsed declaration into a <see cref="ModelPlan"/>: checks what only the whole model shows (a head that
/// is not last, no recurrent layer, too many parameters, too old a language version), then lays out every layer
/// through its cell descriptor. The layout arithmetic happens here once, in 64 bits, before any of it becomes an
/// <see cref="int"/>.
/// </summary>
internal static class ModelPlanner
{
    /// <summary>Array.MaxLength: the most floats one Parameters buffer can hold.</summary>
    private const long MaximumArrayLength = 0x7FFFFFC7;

    /// <summary>The generated code needs C# 12: <c>[InlineArray]</c> state buffers and collection expressions.</summary>
    public const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp12;

    /// <summary>Floats of stack a chunk of the hoisted input projection may use for its saturated inputs and rows (32 KiB).</summary>
    private const int ChunkFloatBudget = 8192;

    /// <summary>Fewer input features than this are not worth hoisting (see <see cref="PlanInputProjection"/>).</summary>
    private const int MinimumProjectedInputs = 8;

    public static PlanResult Plan(ParseResult parsed, LanguageVersion languageVersion)
    {
        ModelSpec spec = parsed.Spec!;
        var diagnostics = new List<DiagnosticInfo>(parsed.Diagnostics);
        if (languageVersion < MinimumLanguageVersion)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersionTooLow, spec.Location, spec.Name, LanguageVersionName(languageVersion)));
        }

        var cells = spec.Layers.Select(layer => layer.IsValid ? Cell.For(layer.Kind, layer.ResetAfter, layer.Activation, layer.Peepholes, layer.ProjectionSize > 0) : null).ToList();
        bool layersValid = cells.All(cell => cell is not null);
        for (int index = 0; index < cells.Count - 1; index++)
        {
            if (cells[index] is { IsRecurrent: false })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DenseNotLast, spec.Layers[index].Location, spec.Name));
                layersValid = false;
            }
        }

        if (layersValid && !cells.Any(cell => cell!.IsRecurrent))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoRecurrentLayer, spec.Location, spec.Name));
        }

        if (!parsed.CanEmit || diagnostics.Count > 0)
        {
            return new PlanResult(null, diagnostics.ToEquatableArray());
        }

        (ModelPlan plan, long parameterCount) = Layout(spec, cells!, languageVersion);
        if (parameterCount > MaximumArrayLength)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, spec.Location, spec.Name, parameterCount, MaximumArrayLength));
            return new PlanResult(null, diagnostics.ToEquatableArray());
        }

        return new PlanResult(plan, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>
    /// Places every layer's segments, bias and state vectors one after another. Offsets are summed in 64 bits and the
    /// total returned with the plan: a plan whose total passes <see cref="MaximumArrayLength"/> is discarded unused.
    /// </summary>
    private static (ModelPlan Plan, long ParameterCount) Layout(ModelSpec spec, IReadOnlyList<Cell> cells, LanguageVersion languageVersion)
    {
        var layers = new List<LayerPlan>();
        long parameters = 0;
        int state = 0;
        int inputSize = spec.InputSize;
        for (int index = 0; index < cells.Count; index++)
        {
            Cell cell = cells[index];
            int size = spec.Layers[index].Size;
            LayerSpec declared = spec.Layers[index];
            LayerPlan forward = Direction(index, cell, declared, inputSize, size, ref parameters, ref state, reverse: false);
            if (declared.Bidirectional && cell.IsRecurrent)
            {
                // The reverse direction's weights follow the forward's in the same layout, and its state vectors follow too.
                forward = forward with { Reverse = Direction(index, cell, declared, inputSize, size, ref parameters, ref state, reverse: true), Merge = declared.Merge ?? MergeMode.Concat };
            }

            layers.Add(forward);
            inputSize = forward.OutputWidth;
        }

        var plan = new ModelPlan(
            spec.Namespace,
            spec.ContainingTypes,
            spec.Keyword,
            spec.Name,
            spec.InputSize,
            layers.ToEquatableArray(),
            (int)parameters,
            state,
            layers.Any(layer => layer.IsBidirectional) ? null : PlanInputProjection(layers[0]),
            ParamsSpans: languageVersion >= LanguageVersion.CSharp13);
        return (plan, parameters);
    }

    /// <summary>One direction of a layer: its segments, bias and state vectors placed at the ends of the layout so far.</summary>
    private static LayerPlan Direction(int index, Cell cell, LayerSpec declared, int inputSize, int size, ref long parameters, ref int state, bool reverse)
    {
        int blocks = (size + Block.Lanes - 1) / Block.Lanes;

        // h has the projection's units when the cell projects it (PyTorch's proj_size), the hidden units otherwise.
        int projection = cell.Projects ? declared.ProjectionSize : 0;
        int hiddenWidth = cell.Projects ? projection : size;

        var segments = new List<WeightSegment>();
        foreach (SegmentShape shape in cell.Segments)
        {
            int rows = shape.Source switch
            {
                SegmentSource.Input => inputSize,
                SegmentSource.Hidden => hiddenWidth,
                SegmentSource.Diagonal => 1,
                _ => size,
            };
            int units = shape.Source == SegmentSource.Projection ? projection : size;
            var segment = new WeightSegment(shape.Name, shape.Equation, (int)parameters, rows, shape.Targets, shape.Tensor, shape.SourceGates, shape.Source, shape.Intermediate, units);
            segments.Add(segment);
            parameters += (long)segment.Blocks * rows * shape.Targets.Count * Block.Lanes;
        }

        int bias = (int)parameters;
        parameters += (long)blocks * cell.BiasSlots * Block.Lanes;

        EquatableArray<TileGroup> tiles = TilePlan.SplitStep(blocks, cell.Accumulators.Count).ToEquatableArray();
        var vectors = new List<StateVector>();
        foreach ((string name, string symbol) in cell.StateVectors)
        {
            // The first vector is h, which the layer passes up; the others (an LSTM's c) have the hidden units.
            var vector = new StateVector(name, symbol, state, vectors.Count == 0 ? hiddenWidth : size);
            vectors.Add(vector);
            state += vector.PaddedUnits;
        }

        return new LayerPlan(
            index,
            cell.Kind,
            cell.ResetAfter,
            cell.Activation,
            inputSize,
            size,
            segments.ToEquatableArray(),
            bias,
            (int)parameters,
            vectors.ToEquatableArray(),
            tiles,
            WideTiles(tiles, blocks, cell.Accumulators.Count),
            Peepholes: cell.Peepholes,
            ProjectionSize: projection,
            ProjectionTiles: cell.Projects ? TilePlan.Split((projection + Block.Lanes - 1) / Block.Lanes, accumulatorsPerBlock: 1).ToEquatableArray() : default,
            IsReverse: reverse);
    }

    /// <summary>
    /// The wide step tiling, where it makes the layer one tile and the narrow one does not: the 16 accumulators of at most
    /// 4 blocks (an LSTM or reset-after GRU of 25 to 32 units) in one pass, with 32 registers for them, the broadcast and
    /// the weights. Measured on Zen 4 (in-process, fastest of many batches): LSTM 8 → 32 and 1 → 32 0.85×, GRU 0.75×
    /// the two-tile step. Wider tiles of more blocks measured slower (a 1-accumulator pass over 16 blocks, 2×): one tile
    /// then streams too many weight rows at once.
    /// </summary>
    private static EquatableArray<TileGroup> WideTiles(EquatableArray<TileGroup> tiles, int blocks, int accumulators)
    {
        bool narrowIsOneTile = tiles.Count == 1 && tiles[0].Count == 1;
        return narrowIsOneTile || blocks > TilePlan.WideTileBlocks || blocks * accumulators > TilePlan.WideAccumulatorBudget
            ? EquatableArray<TileGroup>.Empty
            : TilePlan.Split(blocks, accumulators, TilePlan.WideAccumulatorBudget).ToEquatableArray();
    }

    /// <summary>
    /// Whether and how <c>Forward</c> hoists the first layer's <c>b + W_ih x</c>. It must be a recurrent layer with at
    /// least <see cref="MinimumProjectedInputs"/> features: with fewer, storing and reloading the projection row costs
    /// about what the few FMAs it saves did (in a one-off in-process timing: LSTM 1 → 16 Forward 4% slower hoisted,
    /// 8 → 32 even, 16 → 64 8% faster). And a tile's worth of steps must fit the stack budget: up to about 2,700
    /// floats per step, an LSTM of 512 units or a reset-after GRU of 640 with few inputs, rather than hundreds of KiB
    /// of stack. Otherwise <c>Forward</c> runs <c>Step</c>'s core in a loop.
    /// </summary>
    private static InputProjectionPlan? PlanInputProjection(LayerPlan first)
    {
        int rowFloats = first.GradientStride;
        int perStep = rowFloats + first.InputSize;
        if (!first.IsRecurrent || first.InputSize < MinimumProjectedInputs || perStep * InputProjectionPlan.StepsPerTile > ChunkFloatBudget)
        {
            return null;
        }

        int chunkSteps = System.Math.Max(InputProjectionPlan.StepsPerTile, System.Math.Min(64, ChunkFloatBudget / perStep) / InputProjectionPlan.StepsPerTile * InputProjectionPlan.StepsPerTile);
        int gates = first.InputWeights.GatesPerRow;
        return new InputProjectionPlan(
            chunkSteps,
            rowFloats,
            TilePlan.Split(first.Blocks, gates * InputProjectionPlan.StepsPerTile).ToEquatableArray(),
            TilePlan.Split(first.Blocks, gates).ToEquatableArray());
    }

    private static string LanguageVersionName(LanguageVersion version) => version.ToDisplayString();
}
