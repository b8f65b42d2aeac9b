using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes a model's training file: the <c>Trace</c> and <c>Backward</c> on the user's type, and in the file-local
/// <c>{Model}BackwardKernels</c> class one backward kernel per layer, applied from the top layer down.
/// </summary>
internal static class TrainingEmitter
{
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    public static string KernelsClass(ModelPlan plan) => $"{plan.Name}BackwardKernels";

    /// <summary>How the batch kernels receive a batch's traces: as a span of the model's <c>Trace</c>, which they do not name (it may be nested where they cannot see it).</summary>
    public const string Recordings = "global::System.ReadOnlySpan<TRecording>";

    public static string Emit(ModelPlan plan)
        => SourceFile.Write(
            plan,
            "its training trace and backward pass",
            writer => Members(writer, plan),
            KernelsClass(plan),
            $"The backward kernels of <c>{plan.FullName}</c>: dL/dParameters, dL/dInputs and dL/d(initial state) from dL/dOutputs.",
            writer => Kernels(writer, plan));

    private static void Members(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("Trace global::FixedRnn.ISequenceTrainableModel<State, Trace>.CreateTrace(int maxSteps) => new(maxSteps);");
        writer.Line();
        TraceEmitter.Emit(writer, plan);
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Backpropagates through the window recorded in <paramref name=\"trace\"/>: from dL/dOutputs it adds");
        writer.Line("/// dL/dParameters into <paramref name=\"parameterGradients\"/> (laid out like <see cref=\"Parameters\"/>),");
        writer.Line("/// writes dL/dInputs, and turns <paramref name=\"stateGradient\"/> from dL/d(final state) into");
        writer.Line("/// dL/d(initial state). Pass a zero <paramref name=\"stateGradient\"/> to cut the gradient at the end of");
        writer.Line("/// the window, as truncated BPTT does. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"trace\">The recording of the window, made by the recording <c>Forward</c> with the current parameters.</param>");
        writer.Line("/// <param name=\"outputGradients\">dL/dOutputs, <c>[T, OutputSize]</c>.</param>");
        writer.Line("/// <param name=\"parameterGradients\">Accumulates dL/dParameters: <see cref=\"ParameterCount\"/> floats.</param>");
        writer.Line("/// <param name=\"inputGradients\">Receives dL/dInputs, <c>[T, InputSize]</c>, or empty to skip them.</param>");
        writer.Line("/// <param name=\"stateGradient\">In: dL/d(state after the window). Out: dL/d(state before it).</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit the trace; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block("public void Backward(Trace trace, global::System.ReadOnlySpan<float> outputGradients, global::System.Span<float> parameterGradients, global::System.Span<float> inputGradients, ref State stateGradient)"))
        {
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(trace);");
            string kernels = SourceFile.Helper(KernelsClass(plan));
            using (writer.Block("if (outputGradients.Length != (long)trace.Steps * OutputSize)"))
            {
                writer.Line($"{kernels}.ThrowOutputGradientsLength(trace.Steps, outputGradients.Length);");
            }

            using (writer.Block("if (parameterGradients.Length != ParameterCount)"))
            {
                writer.Line($"{kernels}.ThrowParameterGradientsLength(parameterGradients.Length);");
            }

            using (writer.Block("if (!inputGradients.IsEmpty && inputGradients.Length != (long)trace.Steps * InputSize)"))
            {
                writer.Line($"{kernels}.ThrowInputGradientsLength(trace.Steps, inputGradients.Length);");
            }

            writer.Line();
            writer.Line($"{kernels}.Backward(ref _parameters.Start, trace.Buffers, trace.Steps, ref {MemoryMarshal}.GetReference(outputGradients), ref {MemoryMarshal}.GetReference(parameterGradients), ref {MemoryMarshal}.GetReference(inputGradients), !inputGradients.IsEmpty, ref stateGradient.Start);");
            writer.Line($"{kernels}.WeightGradients(ref {MemoryMarshal}.GetReference(parameterGradients), new global::System.ReadOnlySpan<Trace>(in trace), trace.Steps);");
        }

        writer.Line();
        BatchBackward(writer, plan);
    }

    private static void BatchBackward(SourceWriter writer, ModelPlan plan)
    {
        string kernels = SourceFile.Helper(KernelsClass(plan));
        writer.Line("/// <summary>");
        writer.Line("/// Backpropagates through B windows at once, B = <paramref name=\"traces\"/>.Length, each cut at both ends (no");
        writer.Line("/// state gradient enters after it or leaves before it, as for independent sequences): adds the sum over the");
        writer.Line("/// batch of dL/dParameters into <paramref name=\"parameterGradients\"/>. Each window goes back through time on");
        writer.Line("/// its own; then every weight gradient is formed over all B × T steps as one register-tiled matrix product, so");
        writer.Line("/// each gradient tile is loaded and stored once per batch rather than once per window. The result is bitwise");
        writer.Line("/// that of B calls of <see cref=\"Backward(Trace, global::System.ReadOnlySpan{float}, global::System.Span{float}, global::System.Span{float}, ref State)\"/>");
        writer.Line("/// in order with zero state gradients. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"traces\">The batch's recordings, all of the same number of steps T, made with the current parameters.</param>");
        writer.Line("/// <param name=\"outputGradients\">dL/dOutputs, <c>[B, T, OutputSize]</c>.</param>");
        writer.Line("/// <param name=\"parameterGradients\">Accumulates dL/dParameters: <see cref=\"ParameterCount\"/> floats.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A trace is null or of another length, or a span's length does not fit; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Backward(global::System.ReadOnlySpan<Trace> traces, global::System.ReadOnlySpan<float> outputGradients, global::System.Span<float> parameterGradients)"))
        {
            writer.Line($"int steps = {kernels}.StepsOfTraces(traces);");
            using (writer.Block("if (outputGradients.Length != (long)traces.Length * steps * OutputSize)"))
            {
                writer.Line($"{kernels}.ThrowBatchOutputGradientsLength(traces.Length, steps, outputGradients.Length);");
            }

            using (writer.Block("if (parameterGradients.Length != ParameterCount)"))
            {
                writer.Line($"{kernels}.ThrowParameterGradientsLength(parameterGradients.Length);");
            }

            writer.Line();
            writer.Line($"ref float gradients = ref {MemoryMarshal}.GetReference(parameterGradients);");
            using (writer.Block("for (int sequence = 0; sequence < traces.Length; sequence++)"))
            {
                writer.Line("State stateGradient = default;");
                writer.Line($"ref float sequenceGradients = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {MemoryMarshal}.GetReference(outputGradients), (global::System.IntPtr)sequence * steps * OutputSize);");
                writer.Line($"{kernels}.Backward(ref _parameters.Start, traces[sequence].Buffers, steps, ref sequenceGradients, ref gradients, ref global::System.Runtime.CompilerServices.Unsafe.NullRef<float>(), false, ref stateGradient.Start);");
            }

            writer.Line();
            writer.Line($"{kernels}.WeightGradients(ref gradients, traces, steps);");
        }
    }

    private static void Kernels(SourceWriter writer, ModelPlan plan)
    {
        // As in the forward kernels: the trace as its buffers, the state gradient as a reference to its first float.
        const string trace = "float[][]";
        writer.Line($"private const int InputSize = {plan.InputSize};");
        writer.Line($"private const int OutputSize = {plan.OutputSize};");
        writer.Line($"private const int ParameterCount = {plan.ParameterCount};");
        writer.Line();
        ForwardKernelsEmitter.ThrowHelpers(writer, new[]
        {
            ("ThrowOutputGradientsLength(int steps, int length)", "$\"Expected {steps} steps of {OutputSize} output gradients, got {length} floats.\", \"outputGradients\""),
            ("ThrowParameterGradientsLength(int length)", "$\"Expected {ParameterCount} parameter gradients, got {length}.\", \"parameterGradients\""),
            ("ThrowInputGradientsLength(int steps, int length)", "$\"Expected {steps} steps of {InputSize} input gradients (or none), got {length} floats.\", \"inputGradients\""),
            ("ThrowBatchOutputGradientsLength(int sequences, int steps, int length)", "$\"Expected {sequences} sequences of {steps} steps of {OutputSize} output gradients, got {length} floats.\", \"outputGradients\""),
            ("ThrowTraceMissing(int sequence)", "$\"traces[{sequence}] is null.\", \"traces\""),
            ("ThrowTraceSteps(int sequence, int steps, int expected)", "$\"traces[{sequence}] recorded {steps} steps; traces[0] recorded {expected}. A batch's sequences have one length.\", \"traces\""),
        }, argumentHelper: false);
        writer.Line();
        writer.Line("/// <summary>Checks that every trace of a batch is there and recorded the same number of steps; returns it (0 for no traces).</summary>");
        writer.Line($"public static int StepsOfTraces<TRecording>({Recordings} traces)");
        writer.Indent();
        writer.Line(KernelWriter.RecordingsConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            writer.Line("int steps = 0;");
            using (writer.Block("for (int sequence = 0; sequence < traces.Length; sequence++)"))
            {
                using (writer.Block("if (traces[sequence] is null)"))
                {
                    writer.Line("ThrowTraceMissing(sequence);");
                }

                using (writer.Block("if (sequence == 0)"))
                {
                    writer.Line("steps = traces[0].Steps;");
                }

                using (writer.Block("else if (traces[sequence].Steps != steps)"))
                {
                    writer.Line("ThrowTraceSteps(sequence, traces[sequence].Steps, steps);");
                }
            }

            writer.Line();
            writer.Line("return steps;");
        }

        writer.Line();
        TraceEmitter.IndexConstants(writer, plan);
        writer.Line();
        writer.Line("/// <summary>The whole backward pass: picks the widest accelerated block.</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public static void Backward(ref float weights, {trace} trace, int steps, ref float outputGradients, ref float gradients, ref float inputGradients, bool hasInputGradients, ref float stateGradient)"))
        {
            ModelEmitter.Dispatch(writer, "BackwardCore<{0}>(ref weights, trace, steps, ref outputGradients, ref gradients, ref inputGradients, hasInputGradients, ref stateGradient);");
        }

        writer.Line();
        writer.Line("/// <summary>Every layer's weight and bias gradients over the batch's traces, after each trace's backward pass through time.</summary>");
        writer.Line(SourceFile.Optimized);
        writer.Line($"public static void WeightGradients<TRecording>(ref float gradients, {Recordings} traces, int steps)");
        writer.Indent();
        writer.Line(KernelWriter.RecordingsConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            ModelEmitter.Dispatch(writer, "WeightGradientsCore<{0}, TRecording>(ref gradients, traces, steps);");
        }

        writer.Line();
        KernelWriter.Signature(writer, $"private static void WeightGradientsCore<TBlock, TRecording>(ref float gradients, {Recordings} traces, NInt steps)", traced: false, recordings: true);
        using (writer.Block())
        {
            foreach (LayerPlan direction in plan.Layers.Reverse().SelectMany(layer => layer.Directions))
            {
                writer.Line($"{direction.KernelName}WeightGradients<TBlock, TRecording>(ref gradients, traces, steps);");
            }
        }

        writer.Line();
        if (plan.IsBidirectional)
        {
            SequenceKernelsEmitter.BackwardCore(writer, plan);
            foreach (LayerPlan direction in plan.Layers.Reverse().SelectMany(layer => layer.Directions))
            {
                writer.Line();
                direction.Cell.WriteBackward(writer, direction, SequenceKernelsEmitter.Context(plan, direction, trace));
            }

            return;
        }

        writer.Line("/// <summary>Every layer's backward kernel, from the head down, each handing dL/d(its input) to the layer below.</summary>");
        KernelWriter.Signature(writer, $"private static void BackwardCore<TBlock>(ref float weights, {trace} trace, NInt steps, ref float outputGradients, ref float gradients, ref float inputGradients, bool hasInputGradients, ref float stateGradient)", traced: false);
        using (writer.Block())
        {
            LayerPlan top = plan.TopRecurrent;
            if (plan.Head is { } head)
            {
                writer.Line($"{head.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, ref outputGradients, ref MemoryMarshal.GetArrayDataReference(trace[OutputGradients{top.Index}]));");
            }
            else
            {
                writer.Line("// dL/dh of the top layer is dL/dOutputs, copied into whole blocks.");
                using (writer.Block("for (NInt t = 0; t < steps; t++)"))
                {
                    writer.Line("MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref outputGradients, t * OutputSize), OutputSize)");
                    writer.Indent();
                    writer.Line($".CopyTo(new global::System.Span<float>(trace[OutputGradients{top.Index}], (int)t * {top.PaddedHidden}, OutputSize));");
                    writer.Unindent();
                }
            }

            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsRecurrent).Reverse())
            {
                string downstream = layer.Index == 0
                    ? "ref inputGradients, hasInputGradients"
                    : $"ref MemoryMarshal.GetArrayDataReference(trace[OutputGradients{layer.Index - 1}]), true";
                string stateGradients = string.Join(", ", layer.StateVectors.Select(vector => vector.Offset == 0 ? "ref stateGradient" : $"ref Unsafe.Add(ref stateGradient, {vector.Offset})"));
                writer.Line($"{layer.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, {downstream}, {stateGradients});");
            }
        }

        foreach (LayerPlan layer in plan.Layers.Reverse())
        {
            writer.Line();
            layer.Cell.WriteBackward(writer, layer, Context(plan, layer, trace));
        }
    }

    /// <summary>A layer's input features in the trace: the model inputs for the first layer, else the h after each step of the layer below.</summary>
    private static BackwardContext Context(ModelPlan plan, LayerPlan layer, string trace)
    {
        if (layer.Index == 0)
        {
            return new BackwardContext(trace, "MemoryMarshal.GetArrayDataReference(trace[Inputs])", plan.InputSize);
        }

        LayerPlan below = plan.Layers[layer.Index - 1];
        return new BackwardContext(trace, $"Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(trace[{below.Hidden.Name}{below.Index}]), {below.PaddedHidden})", below.PaddedHidden);
    }
}
