using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The sequence passes of a model with a bidirectional layer. The reverse direction of such a layer reads the last
/// step first, so the layers cannot advance together step by step as <c>StepCore</c> does: each layer runs over the
/// whole sequence, writing its output sequence for the layer above, before the next one starts. A bidirectional layer
/// runs its forward direction over steps 0 … T − 1, then its reverse direction over T − 1 … 0 with the same step kernel
/// on the reverse direction's weights (laid out alike, <see cref="LayerPlan.ReverseWeights"/> further on), merging
/// each h into the output row of its step.
/// </summary>
/// <remarks>
/// The reverse direction starts every sequence from the state's reverse vectors and leaves them unchanged, so a
/// <c>State</c> holds both directions' initial states (PyTorch's h0 has two per layer) and the forward direction's
/// final one. Its trace buffers are in its own step order: step s of the reverse direction is time step T − 1 − s, so
/// the backward kernels of both directions are the cell's own, the reverse one reading its inputs from the last row
/// back (a negative stride).
/// </remarks>
internal static class SequenceKernelsEmitter
{
    private const string ArrayPool = "global::System.Buffers.ArrayPool<float>.Shared";
    private const string NoRecord = "ref Unsafe.NullRef<float>()";

    /// <summary><c>ForwardCore</c>, <c>RecordCore</c> and one sequence kernel per layer.</summary>
    public static void EmitForward(SourceWriter writer, ModelPlan plan)
    {
        ForwardCore(writer, plan);
        writer.Line();
        RecordCore(writer, plan);
        foreach (LayerPlan layer in plan.Layers)
        {
            writer.Line();
            LayerSequence(writer, layer);
        }
    }

    /// <summary>Whether the trace keeps the layer's output sequence: every layer's but the last one's, which goes to the outputs.</summary>
    public static bool HasSequence(ModelPlan plan, LayerPlan layer) => layer.Index < plan.Layers.Count - 1;

    /// <summary>The floats between the intermediate sequences of <c>ForwardCore</c>: the widest output row below the last layer.</summary>
    private static int IntermediateWidth(ModelPlan plan) => plan.Layers.Take(plan.Layers.Count - 1).Select(layer => layer.OutputWidth).DefaultIfEmpty(0).Max();

    private static void ForwardCore(SourceWriter writer, ModelPlan plan)
    {
        int intermediates = System.Math.Min(2, plan.Layers.Count - 1);
        int width = IntermediateWidth(plan);
        writer.Line("/// <summary>");
        writer.Line("/// Runs <paramref name=\"steps\"/> steps layer by layer, each layer over the whole sequence (a bidirectional layer's");
        writer.Line("/// reverse direction needs the last step first). The saturated inputs and the sequences between layers live in an");
        writer.Line("/// array rented from the shared pool, so a warmed-up call allocates nothing.");
        writer.Line("/// </summary>");
        KernelWriter.Signature(writer, "private static void ForwardCore<TBlock>(ref float weights, ref float inputs, int steps, ref float state, ref float outputs)", traced: false);
        using (writer.Block())
        {
            string rowFloats = intermediates == 0 ? "InputSize" : $"InputSize + {intermediates * width}";
            writer.Line($"float[] rented = {ArrayPool}.Rent(checked(steps * ({rowFloats})));");
            using (writer.Block("try"))
            {
                writer.Line("// Inputs saturate at ±1e30 (see Saturation): ±Inf cannot turn a dot product into Inf - Inf.");
                writer.Line("ref float saturated = ref MemoryMarshal.GetArrayDataReference(rented);");
                writer.Line("Saturation.Clamp(MemoryMarshal.CreateReadOnlySpan(ref inputs, steps * InputSize), new global::System.Span<float>(rented, 0, steps * InputSize));");
                if (intermediates > 0)
                {
                    writer.Line($"// The sequences between layers, [steps][{width}] each, used in turn.");
                    writer.Line("ref float first = ref Unsafe.Add(ref saturated, steps * InputSize);");
                }

                if (intermediates > 1)
                {
                    writer.Line($"ref float second = ref Unsafe.Add(ref first, steps * {width});");
                }

                writer.Line();
                string input = "saturated";
                foreach (LayerPlan layer in plan.Layers)
                {
                    string output = HasSequence(plan, layer) ? (layer.Index % 2 == 0 ? "first" : "second") : "outputs";
                    writer.Line($"{layer.KernelName}Sequence<TBlock, NoTrace>(ref weights, ref {input}, steps, ref state, ref {output}, null);");
                    input = output;
                }
            }

            using (writer.Block("finally"))
            {
                writer.Line($"{ArrayPool}.Return(rented);");
            }
        }
    }

    private static void RecordCore(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>Runs <paramref name=\"steps\"/> steps like <see cref=\"ForwardCore\"/>, recording every layer and direction in <paramref name=\"trace\"/>, whose buffers hold the sequences between layers.</summary>");
        KernelWriter.Signature(writer, "private static void RecordCore<TBlock>(ref float weights, ref float inputs, int steps, ref float state, ref float outputs, float[][] trace)", traced: false);
        using (writer.Block())
        {
            writer.Line("// Backward must see the inputs the kernels used: saturated as in ForwardCore.");
            writer.Line("Saturation.Clamp(MemoryMarshal.CreateReadOnlySpan(ref inputs, steps * InputSize), trace[Inputs]);");
            string input = "MemoryMarshal.GetArrayDataReference(trace[Inputs])";
            foreach (LayerPlan layer in plan.Layers)
            {
                string output = HasSequence(plan, layer) ? $"MemoryMarshal.GetArrayDataReference(trace[Sequence{layer.Index}])" : "outputs";
                writer.Line($"{layer.KernelName}Sequence<TBlock, RecordTrace>(ref weights, ref {input}, steps, ref state, ref {output}, trace);");
                input = output;
            }
        }
    }

    /// <summary>One layer over the whole sequence: both directions of a bidirectional layer, merged; a head step by step.</summary>
    private static void LayerSequence(SourceWriter writer, LayerPlan layer)
    {
        string what = layer.IsBidirectional
            ? $"the forward direction over steps 0 … T − 1, then the reverse direction over T − 1 … 0 from its initial state, each h merged ({layer.MergeName}) into its step's row"
            : "step by step over the whole sequence";
        writer.Line($"/// <summary>Layer {layer.Index}, {layer.Describe()}: {what}; rows of {layer.InputSize} inputs to rows of {layer.OutputWidth} outputs.</summary>");
        KernelWriter.Signature(writer, $"private static void {layer.KernelName}Sequence<TBlock, TTrace>(ref float weights, ref float inputs, NInt steps, ref float state, ref float outputs, float[][]? trace)", traced: true);
        using (writer.Block())
        {
            if (!layer.IsRecurrent)
            {
                using (writer.Block("for (NInt t = 0; t < steps; t++)"))
                {
                    List<string> traced = TracedArguments(writer, layer, "t");
                    var arguments = new List<string> { "ref weights", $"ref Unsafe.Add(ref inputs, t * {layer.InputSize})", $"ref Unsafe.Add(ref outputs, t * {layer.OutputWidth})" };
                    arguments.AddRange(traced);
                    writer.Line($"{layer.KernelName}<{(layer.Records ? "TBlock, TTrace" : "TBlock")}>({string.Join(", ", arguments)});");
                }

                return;
            }

            Direction(writer, layer, layer);
            if (layer.Reverse is { } reverse)
            {
                writer.Line();
                Direction(writer, layer, reverse);
            }
        }
    }

    /// <summary>One direction's loop: the step kernel of <paramref name="layer"/> on <paramref name="direction"/>'s weights, state and trace.</summary>
    private static void Direction(SourceWriter writer, LayerPlan layer, LayerPlan direction)
    {
        // h has HiddenWidth units (a projection's, else the hidden size); the state vectors follow one another.
        int size = layer.HiddenWidth;
        int width = layer.OutputWidth;
        string weights = "ref weights";
        List<string> states;
        string hidden;
        if (direction.IsReverse)
        {
            int floats = direction.StateVectors.Sum(vector => vector.PaddedUnits);
            writer.Line($"// The reverse direction runs on its own weights, {layer.ReverseWeights} floats on, from a copy of its initial state: the state keeps it.");
            writer.Line($"const int ReverseWeights = {layer.ReverseWeights};");
            KernelWriter.StackScratch(writer, "reverse", floats, $"The reverse direction's {string.Join(" and ", direction.StateVectors.Select(vector => vector.Symbol))}.");
            writer.Line($"MemoryMarshal.CreateReadOnlySpan({StateRef(direction.StateVectors[0].Offset)}, {floats}).CopyTo(reverseBuffer);");
            weights = "ref Unsafe.Add(ref weights, ReverseWeights)";
            states = direction.StateVectors.Select(vector => vector.Offset == direction.StateVectors[0].Offset ? "ref reverse" : $"ref Unsafe.Add(ref reverse, {vector.Offset - direction.StateVectors[0].Offset})").ToList();
            hidden = "reverse";
        }
        else
        {
            writer.Line(layer.IsBidirectional ? "// The forward direction, advancing the state." : "// Advancing the state.");
            states = direction.StateVectors.Select(vector => StateRef(vector.Offset)).ToList();
            hidden = direction.Hidden.Offset == 0 ? "state" : $"Unsafe.Add(ref state, {direction.Hidden.Offset})";
        }

        var sources = direction.StateVectors.Select((vector, index) => (vector, source: states[index])).ToList();
        using (writer.Block("if (TTrace.IsRecording)"))
        {
            RecordHistories(writer, direction, sources, "0");
        }


        string loop = direction.IsReverse ? "for (NInt s = 0; s < steps; s++)" : "for (NInt t = 0; t < steps; t++)";
        using (writer.Block(loop))
        {
            string step = direction.IsReverse ? "s" : "t";
            if (direction.IsReverse)
            {
                writer.Line("NInt t = steps - 1 - s;");
            }

            List<string> traced = TracedArguments(writer, direction, step);
            var arguments = new List<string> { weights, $"ref Unsafe.Add(ref inputs, t * {layer.InputSize})" };
            arguments.AddRange(states);
            arguments.AddRange(traced);
            string typeArguments = layer.Records ? "TBlock, TTrace" : "TBlock";
            if (layer.WideView is { } wide)
            {
                // A JIT-time constant: only one of the two kernels is compiled.
                using (writer.Block("if (TBlock.WideTiles)"))
                {
                    writer.Line($"{wide.KernelName}<{typeArguments}>({string.Join(", ", arguments)});");
                }

                using (writer.Block("else"))
                {
                    writer.Line($"{layer.KernelName}<{typeArguments}>({string.Join(", ", arguments)});");
                }
            }
            else
            {
                writer.Line($"{layer.KernelName}<{typeArguments}>({string.Join(", ", arguments)});");
            }

            using (writer.Block("if (TTrace.IsRecording)"))
            {
                RecordHistories(writer, direction, sources, $"{step} + 1");
            }


            writer.Line($"ref float row = ref Unsafe.Add(ref outputs, t * {width});");
            if (!direction.IsReverse)
            {
                writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref {hidden}, {size}).CopyTo(MemoryMarshal.CreateSpan(ref row, {size}));");
                return;
            }

            switch (layer.Merge)
            {
                case MergeMode.Concat:
                    writer.Line("// Concatenated: the forward direction's h, then this one's.");
                    writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref reverse, {size}).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref row, {size}), {size}));");
                    break;
                default:
                    string merged = layer.Merge switch
                    {
                        MergeMode.Sum => "Unsafe.Add(ref row, k) + Unsafe.Add(ref reverse, k)",
                        MergeMode.Average => "(Unsafe.Add(ref row, k) + Unsafe.Add(ref reverse, k)) * 0.5f",
                        _ => "Unsafe.Add(ref row, k) * Unsafe.Add(ref reverse, k)",
                    };
                    writer.Line($"// Merged ({layer.MergeName}) with the forward direction's h already in the row.");
                    using (writer.Block($"for (NInt k = 0; k < {size}; k++)"))
                    {
                        writer.Line($"Unsafe.Add(ref row, k) = {merged};");
                    }

                    break;
            }
        }
    }

    /// <summary>The trace references a step kernel records into at step <paramref name="step"/> of <paramref name="direction"/>, declared before the call.</summary>
    private static List<string> TracedArguments(SourceWriter writer, LayerPlan direction, string step)
    {
        var traced = new List<string>();
        if (direction.Records)
        {
            writer.Line($"ref float gates = ref TTrace.IsRecording ? ref {TraceRow($"trace![Gates{direction.Tag}]", step, direction.RecordStride)} : {NoRecord};");
            traced.Add("ref gates");
        }

        foreach (TraceArray array in direction.Cell.TraceArrays)
        {
            writer.Line($"ref float {array.Parameter} = ref TTrace.IsRecording ? ref {TraceRow($"trace![{array.Name}{direction.Tag}]", step, direction.PaddedSize)} : {NoRecord};");
            traced.Add($"ref {array.Parameter}");
        }

        return traced;
    }

    private static void RecordHistories(SourceWriter writer, LayerPlan direction, List<(StateVector Vector, string Source)> sources, string row)
    {
        foreach ((StateVector vector, string source) in sources)
        {
            string start = row == "0" ? "0" : $"(int)({row}) * {vector.PaddedUnits}";
            writer.Line($"MemoryMarshal.CreateReadOnlySpan({source}, {vector.PaddedUnits}).CopyTo(new global::System.Span<float>(trace![{vector.Name}{direction.Tag}], {start}, {vector.PaddedUnits}));");
        }
    }

    private static string StateRef(int offset) => offset == 0 ? "ref state" : $"ref Unsafe.Add(ref state, {offset})";

    private static string TraceRow(string array, string step, int stride) => $"Unsafe.Add(ref MemoryMarshal.GetArrayDataReference({array}), {step} * {stride})";

    // ---- Backward ---------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>BackwardCore</c> of a bidirectional model: from the top down, each layer's dL/d(output row) is split into its
    /// directions' dL/dh (each in its own step order), both directions' backward kernels run, and the reverse
    /// direction's dL/d(input) is added into the forward's.
    /// </summary>
    public static void BackwardCore(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>Every layer's backward kernels, from the head down, each layer handing dL/d(its input rows) to the layer below.</summary>");
        KernelWriter.Signature(writer, "private static void BackwardCore<TBlock>(ref float weights, float[][] trace, NInt steps, ref float outputGradients, ref float gradients, ref float inputGradients, bool hasInputGradients, ref float stateGradient)", traced: false);
        using (writer.Block())
        {
            using (writer.Block("if (steps == 0)"))
            {
                writer.Line("// Nothing recorded: no parameter gradient, and the state gradient passes through unchanged.");
                writer.Line("return;");
            }

            writer.Line();
            LayerPlan top = plan.TopRecurrent;
            if (plan.Head is { } head)
            {
                writer.Line($"{head.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, ref outputGradients, ref MemoryMarshal.GetArrayDataReference(trace[SequenceGradients{top.Index}]));");
            }

            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsRecurrent).Reverse())
            {
                writer.Line();
                writer.Line($"// Layer {layer.Index}, {layer.Describe()}.");
                string upstream = HasSequence(plan, layer) ? $"MemoryMarshal.GetArrayDataReference(trace[SequenceGradients{layer.Index}])" : "outputGradients";
                writer.Line($"{layer.KernelName}Upstream(ref {upstream}, steps, trace);");
                (string downstream, string hasDownstream) = layer.Index == 0
                    ? ("inputGradients", "hasInputGradients")
                    : ($"MemoryMarshal.GetArrayDataReference(trace[SequenceGradients{layer.Index - 1}])", "true");
                string stateGradients = string.Join(", ", layer.StateVectors.Select(vector => vector.Offset == 0 ? "ref stateGradient" : $"ref Unsafe.Add(ref stateGradient, {vector.Offset})"));
                writer.Line($"{layer.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, ref {downstream}, {hasDownstream}, {stateGradients});");
                if (layer.Reverse is not { } reverse)
                {
                    continue;
                }

                int floats = reverse.StateVectors.Sum(vector => vector.PaddedUnits);
                using (writer.Block())
                {
                    writer.Line("// The reverse direction's final state feeds nothing, so its backward pass starts from zero; its initial state is");
                    writer.Line("// the state's reverse vectors, which the forward pass left as they were: their gradient passes through and gains this.");
                    KernelWriter.StackScratch(writer, "reverseGradient", floats, "dL/d(the reverse direction's state), its final one in, its initial one out.");
                    writer.Line("reverseGradientBuffer.Clear();");
                    writer.Line($"ref float reverseDownstream = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(trace[ReverseInputGradients{layer.Index}]), (steps - 1) * {layer.InputSize});");
                    int first = reverse.StateVectors[0].Offset;
                    string reverseStates = string.Join(", ", reverse.StateVectors.Select(vector => vector.Offset == first ? "ref reverseGradient" : $"ref Unsafe.Add(ref reverseGradient, {vector.Offset - first})"));
                    writer.Line($"{reverse.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, ref reverseDownstream, {hasDownstream}, {reverseStates});");
                    AddInto(writer, "reverseGradient", $"Unsafe.Add(ref stateGradient, {reverse.StateVectors[0].Offset})", $"{floats}");
                    using (writer.Block($"if ({hasDownstream})"))
                    {
                        writer.Line("// The reverse direction wrote dL/d(input) from the last row back; each row adds to the forward direction's.");
                        AddInto(writer, $"MemoryMarshal.GetArrayDataReference(trace[ReverseInputGradients{layer.Index}])", downstream, $"steps * {layer.InputSize}");
                    }
                }
            }
        }

        foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsRecurrent))
        {
            writer.Line();
            Upstream(writer, layer);
        }
    }

    private static void AddInto(SourceWriter writer, string source, string target, string count)
    {
        using (writer.Block($"for (NInt k = 0; k < {count}; k++)"))
        {
            writer.Line($"Unsafe.Add(ref {target}, k) += Unsafe.Add(ref {source}, k);");
        }
    }

    /// <summary>The layer's dL/d(output rows) as each direction's dL/dh in whole blocks, the reverse direction's in its own step order.</summary>
    private static void Upstream(SourceWriter writer, LayerPlan layer)
    {
        int size = layer.HiddenWidth;
        int padded = layer.PaddedHidden;
        writer.Line($"/// <summary>Layer {layer.Index}: dL/d(output row t), {layer.OutputWidth} floats, into dL/dh of {(layer.IsBidirectional ? "each direction; the reverse direction's step T − 1 − t" : "step t")}; the padding lanes stay zero.</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"private static void {layer.KernelName}Upstream(ref float upstream, NInt steps, float[][] trace)"))
        {
            writer.Line($"ref float forward = ref MemoryMarshal.GetArrayDataReference(trace[OutputGradients{layer.Tag}]);");
            if (layer.Reverse is { } reverse)
            {
                writer.Line($"ref float reverse = ref MemoryMarshal.GetArrayDataReference(trace[OutputGradients{reverse.Tag}]);");
                if (layer.Merge == MergeMode.Multiply)
                {
                    writer.Line("// Each direction's gradient is the row's times the other direction's h.");
                    writer.Line($"ref float forwardHiddens = ref MemoryMarshal.GetArrayDataReference(trace[{layer.Hidden.Name}{layer.Tag}]);");
                    writer.Line($"ref float reverseHiddens = ref MemoryMarshal.GetArrayDataReference(trace[{reverse.Hidden.Name}{reverse.Tag}]);");
                }
            }

            using (writer.Block("for (NInt t = 0; t < steps; t++)"))
            {
                writer.Line($"ref float row = ref Unsafe.Add(ref upstream, t * {layer.OutputWidth});");
                writer.Line($"ref float forwardRow = ref Unsafe.Add(ref forward, t * {padded});");
                if (!layer.IsBidirectional)
                {
                    writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref row, {size}).CopyTo(MemoryMarshal.CreateSpan(ref forwardRow, {size}));");
                    return;
                }

                writer.Line($"ref float reverseRow = ref Unsafe.Add(ref reverse, (steps - 1 - t) * {padded});");
                switch (layer.Merge)
                {
                    case MergeMode.Concat:
                        writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref row, {size}).CopyTo(MemoryMarshal.CreateSpan(ref forwardRow, {size}));");
                        writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref row, {size}), {size}).CopyTo(MemoryMarshal.CreateSpan(ref reverseRow, {size}));");
                        break;
                    case MergeMode.Sum:
                        writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref row, {size}).CopyTo(MemoryMarshal.CreateSpan(ref forwardRow, {size}));");
                        writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref row, {size}).CopyTo(MemoryMarshal.CreateSpan(ref reverseRow, {size}));");
                        break;
                    case MergeMode.Average:
                        using (writer.Block($"for (NInt k = 0; k < {size}; k++)"))
                        {
                            writer.Line("float half = Unsafe.Add(ref row, k) * 0.5f;");
                            writer.Line("Unsafe.Add(ref forwardRow, k) = half;");
                            writer.Line("Unsafe.Add(ref reverseRow, k) = half;");
                        }

                        break;
                    default:
                        writer.Line($"ref float forwardHidden = ref Unsafe.Add(ref forwardHiddens, (t + 1) * {padded});");
                        writer.Line($"ref float reverseHidden = ref Unsafe.Add(ref reverseHiddens, (steps - t) * {padded});");
                        using (writer.Block($"for (NInt k = 0; k < {size}; k++)"))
                        {
                            writer.Line("Unsafe.Add(ref forwardRow, k) = Unsafe.Add(ref row, k) * Unsafe.Add(ref reverseHidden, k);");
                            writer.Line("Unsafe.Add(ref reverseRow, k) = Unsafe.Add(ref row, k) * Unsafe.Add(ref forwardHidden, k);");
                        }

                        break;
                }
            }
        }
    }

    /// <summary>
    /// Where a direction of a bidirectional model's layer finds its input rows in the trace: the saturated inputs, or the
    /// output sequence of the layer below; the reverse direction from the last row back.
    /// </summary>
    public static BackwardContext Context(ModelPlan plan, LayerPlan direction, string trace)
    {
        (string buffer, int stride) = direction.Index == 0
            ? ("trace[Inputs]", plan.InputSize)
            : ($"trace[Sequence{direction.Index - 1}]", plan.Layers[direction.Index - 1].OutputWidth);
        return direction.IsReverse
            ? new BackwardContext(trace, $"Unsafe.Add(ref MemoryMarshal.GetArrayDataReference({buffer}), (steps - 1) * {stride})", -stride)
            : new BackwardContext(trace, $"MemoryMarshal.GetArrayDataReference({buffer})", stride);
    }
}
