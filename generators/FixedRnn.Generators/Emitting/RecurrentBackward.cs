using System;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The frame of a recurrent layer's backward pass: steps in reverse, each turning dL/dh into pre-activation
/// gradients block by block and sending them back through the transposed weights; then the whole window's weight
/// and bias gradients at once.
/// </summary>
internal static class RecurrentBackward
{
    /// <summary>
    /// Emits the layer's backward kernel. <paramref name="step"/> writes one step's work given the per-step
    /// references; <paramref name="beforeSteps"/> declares what the steps share (scratch vectors).
    /// </summary>
    public static void Emit(SourceWriter writer, LayerPlan layer, BackwardContext context, Action step, Action? beforeSteps = null)
    {
        Cell cell = layer.Cell;
        string stateGradients = string.Join(", ", layer.StateVectors.Select(vector => $"ref float {vector.Gradient}"));
        BackwardKernel(
            writer,
            layer,
            "Backward",
            $"Backward through layer {layer.Index}, {layer.Describe()}: from dL/dh of every step, the gradients of its weights, its inputs and its initial state.",
            $"ref float weights, ref float gradients, {context.TraceType} trace, NInt steps, ref float downstream, bool hasDownstream, {stateGradients}",
            () =>
            {
                if (layer.Records)
                {
                    writer.Line($"ref float gates = ref MemoryMarshal.GetArrayDataReference(trace[Gates{layer.Tag}]);");
                }

                writer.Line($"ref float gateGradients = ref MemoryMarshal.GetArrayDataReference(trace[GateGradients{layer.Tag}]);");
                writer.Line($"ref float upstream = ref MemoryMarshal.GetArrayDataReference(trace[OutputGradients{layer.Tag}]);");
                foreach (StateVector vector in layer.StateVectors)
                {
                    writer.Line($"ref float {vector.History} = ref MemoryMarshal.GetArrayDataReference(trace[{vector.Name}{layer.Tag}]);");
                }

                foreach (TraceArray array in cell.TraceArrays)
                {
                    writer.Line($"ref float {array.History} = ref MemoryMarshal.GetArrayDataReference(trace[{array.Name}{layer.Tag}]);");
                }

                writer.Line($"ref float features = ref {context.InputSource};");
                if (cell.BackwardUsesOne)
                {
                    // 1 - x, x(1 - x): the derivatives of tanh and sigmoid.
                    writer.Line("TBlock one = TBlock.Broadcast(1f);");
                }

                WeightSegment? projection = layer.Segments.FirstOrDefault(segment => segment.Source == SegmentSource.Projection);
                if (projection is not null)
                {
                    KernelWriter.StackScratch(writer, ProjectedGradient(layer), layer.PaddedSize, "dL/dm of the current step, m the cell output that h = W_hr m projects.");
                }

                beforeSteps?.Invoke();
                writer.Line();
                string[] gradients = layer.StateVectors.Select(vector => vector.Gradient).ToArray();
                writer.Line(gradients.Length == 1
                    ? $"// {gradients[0]} arrives as dL/d(final state) and leaves as dL/d(initial state)."
                    : $"// {string.Join(" and ", gradients)} arrive as dL/d(final state) and leave as dL/d(initial state).");
                using (writer.Block("for (NInt t = steps - 1; t >= 0; t--)"))
                {
                    if (layer.Records)
                    {
                        writer.Line($"ref float stepGates = ref Unsafe.Add(ref gates, t * {layer.RecordStride});");
                    }

                    writer.Line($"ref float stepGradients = ref Unsafe.Add(ref gateGradients, t * {layer.GradientStride});");
                    writer.Line($"ref float stepUpstream = ref Unsafe.Add(ref upstream, t * {layer.PaddedHidden});");
                    foreach (BackwardView view in cell.BackwardViews)
                    {
                        string stepIndex = view.Step == 0 ? "t" : $"(t + {view.Step})";
                        int stride = layer.StateVectors.First(vector => vector.History == view.History).PaddedUnits;
                        writer.Line($"ref float {view.Name} = ref Unsafe.Add(ref {view.History}, {stepIndex} * {stride});");
                    }

                    if (projection is not null)
                    {
                        ProjectionStep(writer, layer, projection);
                    }

                    step();
                }
            });

        WeightGradients(writer, layer, context);
    }

    /// <summary>
    /// Emits the layer's <c>{KernelName}WeightGradients</c>: every non-diagonal segment's gradient and the bias
    /// gradient over the batch's sequences, from the per-step gradients the backward kernel left in each trace.
    /// </summary>
    private static void WeightGradients(SourceWriter writer, LayerPlan layer, BackwardContext context)
    {
        Cell cell = layer.Cell;
        var gateGradients = new GradientRows("gateGradients", $"MemoryMarshal.GetArrayDataReference(trace[GateGradients{layer.Tag}])", layer.GradientStride);
        GradientRows Intermediate(TraceArray array) => Rows(array.History, $"{array.Name}{layer.Tag}", layer.PaddedSize);

        writer.Line();
        BackwardWriter.WeightGradientsKernel(writer, layer, () =>
        {
            // A diagonal segment's gradient is the cell's to accumulate, step by step, in its elementwise body.
            foreach (WeightSegment segment in layer.Segments.Where(segment => segment.Source != SegmentSource.Diagonal))
            {
                GradientRows source = segment.Source switch
                {
                    SegmentSource.Input => new GradientRows("features", context.InputSource, context.InputStride),
                    SegmentSource.Hidden => Rows(layer.Hidden.History, $"{layer.Hidden.Name}{layer.Tag}", layer.Hidden.PaddedUnits),
                    _ => Intermediate(cell.TraceArrays.Single(array => array.Name == segment.Intermediate)),
                };

                // A projection's per-step gradients are dL/dh, which ProjectionStep left in the upstream rows.
                BackwardWriter.WeightGradient(
                    writer,
                    layer,
                    segment,
                    source,
                    segment.Source == SegmentSource.Projection ? Rows("upstream", $"OutputGradients{layer.Tag}", layer.PaddedHidden) : gateGradients);
            }

            BackwardWriter.BiasGradient(writer, layer, gateGradients);
        });
    }

    private static GradientRows Rows(string name, string buffer, int stride)
        => new(name, $"MemoryMarshal.GetArrayDataReference(trace[{buffer}])", stride);

    /// <summary>The scratch local that holds dL/dm of the step when h = W_hr m is projected: <c>cellOutputGradient</c>.</summary>
    public static string ProjectedGradient(LayerPlan layer)
        => layer.Cell.TraceArrays.Single(array => array.Name == layer.Segments.Single(segment => segment.Source == SegmentSource.Projection).Intermediate).Parameter + "Gradient";

    /// <summary>
    /// The start of a projected layer's backward step: dL/dh_t, from the layer above and from step t + 1, replaces the
    /// step's upstream row (the window's dW_hr reads it there after the steps), and W_hrᵀ takes it back to dL/dm, which
    /// the cell's elementwise body reads in place of dL/dh.
    /// </summary>
    private static void ProjectionStep(SourceWriter writer, LayerPlan layer, WeightSegment projection)
    {
        writer.Line("// dL/dh_t = dL/dh from above + dL/dh from step t + 1, kept in the upstream row for dW_hr.");
        using (writer.Block($"for (NUInt units = 0; units < {layer.PaddedHidden}; units += {Block.Lanes})"))
        {
            writer.Line("TBlock.Store(TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units), ref stepUpstream, units);");
        }

        BackwardWriter.TransposedProduct(writer, layer, projection, "dm", "stepUpstream", ProjectedGradient(layer), accumulate: false);
    }

    /// <summary>
    /// Writes a backward kernel's frame, <c>{KernelName}{name}&lt;TBlock&gt;</c>: summary, signature, the layout
    /// constants of every segment and the bias, the slot constants the body uses, then <paramref name="body"/> and its deferred helpers.
    /// </summary>
    public static void BackwardKernel(SourceWriter writer, LayerPlan layer, string name, string summary, string parameters, Action body, bool recordings = false)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        string typeParameters = recordings ? "TBlock, TRecording" : "TBlock";
        KernelWriter.Signature(writer, $"public static void {layer.KernelName}{name}<{typeParameters}>({parameters})", traced: false, recordings: recordings);
        using (writer.Block())
        {
            SourceWriter.Position slots = writer.Mark();
            writer.Line();
            body();
            // Slots first: both go to one place, and the layout constants must precede the slot constants there.
            KernelWriter.SlotConstants(writer, slots, layer);
            KernelWriter.UsedLayoutConstants(writer, slots, layer, layer.Segments, bias: true);
        }

        writer.WriteDeferred();
    }

    /// <summary>A loop over the layer's blocks with <c>units</c>, <c>slots</c> and <c>record</c> set for each.</summary>
    public static void BlockLoop(SourceWriter writer, LayerPlan layer, string comment, Action body)
    {
        writer.Line($"// {comment}");
        using (writer.Block($"for (NUInt block = 0; block < {layer.Blocks}; block++)"))
        {
            writer.Line($"NUInt units = block * {Block.Lanes};");
            writer.Line($"NUInt slots = block * {layer.BiasBlockStride};");
            if (layer.Records)
            {
                writer.Line($"NUInt record = block * {layer.RecordBlockStride};");
            }

            body();
        }
    }

    /// <summary>
    /// One step of a single-pass cell: the block-wise gradient, then dL/dh_{t-1} and dL/dx_t through the transposed
    /// recurrent and input weights.
    /// </summary>
    public static void StandardStep(SourceWriter writer, LayerPlan layer, BackwardContext context, bool hiddenGradientAccumulates, Action elementwise)
    {
        BlockLoop(writer, layer, "Through the cell, block by block: dL/dh → dL/d(pre-activations).", elementwise);
        SendBack(writer, layer, context, hiddenGradientAccumulates);
    }

    /// <summary>dL/dh_{t-1} through W_hh and, when wanted, dL/dx_t through W_ih.</summary>
    public static void SendBack(SourceWriter writer, LayerPlan layer, BackwardContext context, bool hiddenGradientAccumulates)
    {
        BackwardWriter.TransposedProduct(writer, layer, layer.Segment("RecurrentWeights"), "dh", "stepGradients", "hiddenGradient", hiddenGradientAccumulates);
        using (writer.Block("if (hasDownstream)"))
        {
            writer.Line($"ref float stepDownstream = ref Unsafe.Add(ref downstream, t * {context.InputStride});");
            BackwardWriter.TransposedProduct(writer, layer, layer.InputWeights, "dx", "stepGradients", "stepDownstream", accumulate: false);
        }
    }
}
