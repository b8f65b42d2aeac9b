using System;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// The frame of a recurrent layer's backward pass: steps in reverse, each turning dL/dh into
/// pre-activation gradients block by block and sending them back through the transposed weights; then
/// the whole window's weight and bias gradients at once.
/// </summary>
internal static class RecurrentBackward
{
    private const string Unsafe = KernelWriter.Unsafe;
    private const string MemoryMarshal = KernelWriter.MemoryMarshal;

    /// <summary>
    /// Emits the layer's backward kernel. <paramref name="step"/> writes one step's work given the
    /// per-step references; most kinds use <see cref="StandardStep"/>.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="layer">The layer.</param>
    /// <param name="inputSource">A reference to step 0's input features (model inputs or the h below).</param>
    /// <param name="inputStride">Floats between one step's input features and the next's.</param>
    /// <param name="step">Writes the body of one step.</param>
    public static void Emit(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride, Action step)
    {
        bool lstm = layer.Spec.Kind == LayerKind.Lstm;
        KernelWriter.Kernel(
            writer,
            layer,
            $"Backward through layer {layer.Index}, {layer.Spec.Describe()}: from dL/dh of every step, the gradients of its weights, its inputs and its initial state.",
            $"ref float weights, ref float gradients, Trace trace, nint steps, ref float downstream, bool hasDownstream, ref float hiddenGradient{(lstm ? ", ref float cellGradient" : string.Empty)}",
            () =>
            {
                if (layer.RecordSlots > 0)
                {
                    writer.Line($"ref float gates = ref {MemoryMarshal}.GetArrayDataReference(trace.Gates{layer.Index});");
                }

                writer.Line($"ref float gateGradients = ref {MemoryMarshal}.GetArrayDataReference(trace.GateGradients{layer.Index});");
                writer.Line($"ref float upstream = ref {MemoryMarshal}.GetArrayDataReference(trace.OutputGradients{layer.Index});");
                writer.Line($"ref float hiddens = ref {MemoryMarshal}.GetArrayDataReference(trace.Hidden{layer.Index});");
                if (lstm)
                {
                    writer.Line($"ref float cells = ref {MemoryMarshal}.GetArrayDataReference(trace.Cell{layer.Index});");
                }

                if (layer.IsResetBeforeGru)
                {
                    writer.Line($"ref float resetHiddens = ref {MemoryMarshal}.GetArrayDataReference(trace.ResetHidden{layer.Index});");
                }

                writer.Line($"ref float features = ref {inputSource};");
                if (layer.Spec.Kind != LayerKind.Rnn || layer.Spec.Activation != Activation.Relu)
                {
                    // 1 - x, x(1 - x): the derivatives of tanh and sigmoid; relu's needs none.
                    writer.Line("TBlock one = TBlock.Broadcast(1f);");
                }

                if (layer.IsResetBeforeGru)
                {
                    KernelWriter.StackScratch(writer, "resetGradient", layer.PaddedSize, "dL/d(r*h) of the current step.");
                }

                writer.Line();
                writer.Line(layer.Spec.Kind == LayerKind.Lstm
                    ? "// hiddenGradient and cellGradient arrive as dL/d(final state) and leave as dL/d(initial state)."
                    : "// hiddenGradient arrives as dL/d(final state) and leaves as dL/d(initial state).");
                using (writer.Block("for (nint t = steps - 1; t >= 0; t--)"))
                {
                    if (layer.RecordSlots > 0)
                    {
                        writer.Line($"ref float stepGates = ref {Unsafe}.Add(ref gates, t * {layer.RecordStride});");
                    }

                    writer.Line($"ref float stepGradients = ref {Unsafe}.Add(ref gateGradients, t * {layer.GradientStride});");
                    writer.Line($"ref float stepUpstream = ref {Unsafe}.Add(ref upstream, t * {layer.PaddedSize});");
                    if (layer.Spec.Kind == LayerKind.Rnn)
                    {
                        writer.Line($"ref float hiddenAfter = ref {Unsafe}.Add(ref hiddens, (t + 1) * {layer.PaddedSize});");
                    }
                    else if (layer.Spec.Kind == LayerKind.Gru)
                    {
                        writer.Line($"ref float hiddenBefore = ref {Unsafe}.Add(ref hiddens, t * {layer.PaddedSize});");
                    }
                    if (lstm)
                    {
                        writer.Line($"ref float cellBefore = ref {Unsafe}.Add(ref cells, t * {layer.PaddedSize});");
                        writer.Line($"ref float cellAfter = ref {Unsafe}.Add(ref cells, (t + 1) * {layer.PaddedSize});");
                    }

                    step();
                }

                writer.Line();
                BackwardWriter.WeightGradient(writer, layer, layer.InputWeights, "features", inputStride);
                BackwardWriter.WeightGradient(writer, layer, layer.RecurrentWeights!, "hiddens", layer.PaddedSize);
                if (layer.CandidateWeights is not null)
                {
                    BackwardWriter.WeightGradient(writer, layer, layer.CandidateWeights, "resetHiddens", layer.PaddedSize);
                }

                BackwardWriter.BiasGradient(writer, layer);
            },
            suffix: "Backward",
            traced: false);
    }

    /// <summary>A loop over the layer's blocks with <c>units</c>, <c>slots</c> and <c>record</c> set for each.</summary>
    public static void BlockLoop(SourceWriter writer, LayerLayout layer, string comment, Action body)
    {
        writer.Line($"// {comment}");
        using (writer.Block($"for (nuint block = 0; block < {layer.Blocks}; block++)"))
        {
            writer.Line("nuint units = block * 8;");
            writer.Line($"nuint slots = block * {layer.BiasSlots * LayerLayout.Lanes};");
            if (layer.RecordSlots > 0)
            {
                writer.Line($"nuint record = block * {layer.RecordSlots * LayerLayout.Lanes};");
            }

            body();
        }
    }

    /// <summary>
    /// One step of a single-pass cell: the block-wise gradient, then dL/dh_{t-1} and dL/dx_t through the
    /// transposed recurrent and input weights.
    /// </summary>
    public static void StandardStep(SourceWriter writer, LayerLayout layer, int inputStride, bool hiddenGradientAccumulates, Action elementwise)
    {
        BlockLoop(writer, layer, "Through the cell, block by block: dL/dh → dL/d(pre-activations).", elementwise);
        SendBack(writer, layer, inputStride, hiddenGradientAccumulates);
    }

    /// <summary>dL/dh_{t-1} through W_hh and, when wanted, dL/dx_t through W_ih.</summary>
    public static void SendBack(SourceWriter writer, LayerLayout layer, int inputStride, bool hiddenGradientAccumulates)
    {
        BackwardWriter.TransposedProduct(writer, layer, layer.RecurrentWeights!, "stepGradients", "hiddenGradient", hiddenGradientAccumulates);
        using (writer.Block("if (hasDownstream)"))
        {
            writer.Line($"ref float stepDownstream = ref {Unsafe}.Add(ref downstream, t * {inputStride});");
            BackwardWriter.TransposedProduct(writer, layer, layer.InputWeights, "stepGradients", "stepDownstream", accumulate: false);
        }
    }
}
