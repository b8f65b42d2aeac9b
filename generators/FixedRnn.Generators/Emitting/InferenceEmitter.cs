using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes a model's inference file: its sizes, <c>Parameters</c>, <c>State</c>, <c>Step</c> and the <c>Forward</c>
/// passes on the user's type; their kernels in the file-local <c>{Model}Kernels</c> class.
/// </summary>
internal static class InferenceEmitter
{
    private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
    private const string Span = "global::System.Span<float>";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

    public static string KernelsClass(ModelPlan plan) => $"{plan.Name}Kernels";

    public static string Emit(ModelPlan plan)
    {
        string model = SourceFile.Identifier(plan.Name);
        // A bidirectional model has no Step, so it is a sequence model only (and ICellStateModel, a streaming one, is not for it).
        string interfaces = plan.Streams
            ? $"global::FixedRnn.ITrainableModel<{model}.State, {model}.Trace>"
                + (ModelEmitter.HasCellState(plan) ? $", global::FixedRnn.ICellStateModel<{model}.State>" : string.Empty)
            : $"global::FixedRnn.ISequenceTrainableModel<{model}.State, {model}.Trace>";
        return SourceFile.Write(
            plan,
            "its sizes, parameters, state, Step and Forward",
            writer => Members(writer, plan),
            KernelsClass(plan),
            $"The forward kernels of <c>{plan.FullName}</c>, specialized for its sizes and generic over the SIMD block.",
            writer => ForwardKernelsEmitter.Emit(writer, plan),
            baseList: " : " + interfaces,
            typeDocs: writer => ModelEmitter.ModelDocs(writer, plan));
    }

    private static void Members(SourceWriter writer, ModelPlan plan)
    {
        string kernels = SourceFile.Helper(KernelsClass(plan));
        Constant(writer, "Features per time step.", "InputSize", plan.InputSize);
        Constant(writer, $"Outputs per time step: {(plan.Head is null ? "the last recurrent layer's h" : "the Dense head's")}.", "OutputSize", plan.OutputSize);
        Constant(writer, "Layers, the Dense head included.", "LayerCount", plan.Layers.Count);
        writer.Line("/// <summary>");
        writer.Line("/// Floats in <see cref=\"Parameters\"/>: every layer's weights and biases in the kernels' packed");
        writer.Line($"/// layout, hidden units padded to whole {Block.Lanes}-lane blocks with zeros.");
        writer.Line("/// </summary>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public const int ParameterCount = {plan.ParameterCount};");
        writer.Line();
        writer.Line("// 64-byte aligned and pinned, so no 32-byte weight load straddles two cache lines. The first model of the");
        writer.Line("// type also compiles Step's kernels here, so that a game's first frames already run at full speed.");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"private readonly global::FixedRnn.Numerics.AlignedFloats _parameters = {kernels}.NewParameters();");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Every weight and bias, packed for the kernels: one flat buffer, so optimizers and serializers");
        writer.Line("/// work on a single span. Any number of <see cref=\"State\"/> streams may read it concurrently.");
        writer.Line("/// </summary>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public {Span} Parameters => _parameters.Span;");
        writer.Line();
        writer.Line("int global::FixedRnn.ISequenceModel<State>.InputSize => InputSize;");
        writer.Line();
        writer.Line("int global::FixedRnn.ISequenceModel<State>.OutputSize => OutputSize;");
        writer.Line();
        writer.Line("int global::FixedRnn.ISequenceModel<State>.LayerCount => LayerCount;");
        writer.Line();
        StateAccessor(writer, "GetHiddenState", "The hidden state h of recurrent layer <paramref name=\"layer\"/>.", plan, "Hidden");
        if (ModelEmitter.HasCellState(plan))
        {
            writer.Line();
            StateAccessor(writer, "GetCellState", "The cell state c of LSTM layer <paramref name=\"layer\"/>.", plan, ModelEmitter.CellStateVector);
        }

        writer.Line();
        StateEmitter.Emit(writer, plan);
        if (plan.Streams)
        {
            writer.Line();
            Step(writer, kernels);
        }

        writer.Line();
        Forward(writer, kernels, plan);
        if (plan.Streams)
        {
            writer.Line();
            BatchedStep(writer, kernels);
        }

        writer.Line();
        BatchedForward(writer, kernels);
        writer.Line();
        RecordingForward(writer, kernels);
        writer.Line();
        BatchedRecordingForward(writer, kernels);
    }

    private static void Constant(SourceWriter writer, string summary, string name, int value)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public const int {name} = {value};");
        writer.Line();
    }

    private static void StateAccessor(SourceWriter writer, string name, string summary, ModelPlan plan, string vector)
    {
        writer.Line($"/// <summary>{summary}</summary>");
        writer.Line("/// <param name=\"state\">The state.</param>");
        writer.Line("/// <param name=\"layer\">The layer index.</param>");
        writer.Line("/// <returns>The vector.</returns>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public {Span} {name}(ref State state, int layer) => layer switch");
        using (writer.Block(closing: "};"))
        {
            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.StateVectors.Any(state => state.Name == vector)))
            {
                writer.Line($"{layer.Index} => state.Layer{layer.Index}{vector},");
            }

            writer.Line("_ => throw new global::System.ArgumentOutOfRangeException(nameof(layer), layer, null),");
        }
    }

    private static void Step(SourceWriter writer, string kernels)
    {
        writer.Line("/// <summary>Advances <paramref name=\"state\"/> by one time step and writes the step's output. Allocates nothing.</summary>");
        writer.Line("/// <param name=\"input\">The step's <see cref=\"InputSize\"/> features.</param>");
        writer.Line("/// <param name=\"state\">The stream's state, updated in place.</param>");
        writer.Line("/// <param name=\"output\">Receives the step's <see cref=\"OutputSize\"/> outputs.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Step({ReadOnlySpan} input, ref State state, {Span} output)"))
        {
            using (writer.Block("if (input.Length != InputSize)"))
            {
                writer.Line($"{kernels}.ThrowInputLength(input.Length);");
            }

            using (writer.Block("if (output.Length != OutputSize)"))
            {
                writer.Line($"{kernels}.ThrowOutputLength(output.Length);");
            }

            writer.Line();
            writer.Line($"{kernels}.Step(ref _parameters.Start, ref {MemoryMarshal}.GetReference(input), ref state.Start, ref {MemoryMarshal}.GetReference(output));");
        }
    }

    private static void Forward(SourceWriter writer, string kernels, ModelPlan plan)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Runs a whole sequence: <paramref name=\"inputs\"/> is <c>[T, InputSize]</c> and <paramref name=\"outputs\"/>");
        writer.Line("/// <c>[T, OutputSize]</c>, row-major, with T inferred from <paramref name=\"inputs\"/>. Allocates nothing.");
        if (!plan.Streams)
        {
            writer.Line("/// The model is bidirectional: a bidirectional layer's reverse direction reads the whole sequence from its last");
            writer.Line("/// step, starting from the state's reverse vectors, which stay as they are; so there is no streaming <c>Step</c>.");
            writer.Line("/// The sequences between layers live in an array rented from the shared pool (none is allocated once warm).");
        }

        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">T steps of <see cref=\"InputSize\"/> features.</param>");
        writer.Line("/// <param name=\"state\">The stream's state, advanced by T steps.</param>");
        writer.Line("/// <param name=\"outputs\">Receives T steps of <see cref=\"OutputSize\"/> outputs.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Forward({ReadOnlySpan} inputs, ref State state, {Span} outputs)"))
        {
            writer.Line($"int steps = {kernels}.StepsOf(inputs, outputs);");
            writer.Line($"{kernels}.Forward(ref _parameters.Start, ref {MemoryMarshal}.GetReference(inputs), steps, ref state.Start, ref {MemoryMarshal}.GetReference(outputs));");
        }
    }

    private static void BatchedStep(SourceWriter writer, string kernels)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Advances B streams by one step each, B = <paramref name=\"states\"/>.Length: <paramref name=\"inputs\"/> is");
        writer.Line("/// <c>[B, InputSize]</c> and <paramref name=\"outputs\"/> <c>[B, OutputSize]</c>, row-major. Each stream's output and");
        writer.Line("/// state are those of its own <see cref=\"Step(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float})\"/>");
        writer.Line("/// to the bit. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">One row of <see cref=\"InputSize\"/> features per stream.</param>");
        writer.Line("/// <param name=\"states\">The streams' states, each updated in place.</param>");
        writer.Line("/// <param name=\"outputs\">Receives one row of <see cref=\"OutputSize\"/> outputs per stream.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Step({ReadOnlySpan} inputs, global::System.Span<State> states, {Span} outputs)"))
        {
            writer.Line($"{kernels}.CheckStreams(inputs, states.Length, outputs);");
            using (writer.Block("if (states.IsEmpty)"))
            {
                writer.Line("return;");
            }

            writer.Line();
            writer.Line($"{kernels}.StepStreams(ref _parameters.Start, ref {MemoryMarshal}.GetReference(inputs), states.Length, ref {MemoryMarshal}.GetReference(states).Start, ref {MemoryMarshal}.GetReference(outputs));");
        }
    }

    private static void BatchedForward(SourceWriter writer, string kernels)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Runs B sequences of T steps each, B = <paramref name=\"states\"/>.Length: <paramref name=\"inputs\"/> is");
        writer.Line("/// <c>[B, T, InputSize]</c> and <paramref name=\"outputs\"/> <c>[B, T, OutputSize]</c>, row-major, with T inferred.");
        writer.Line("/// Each sequence's outputs and state are those of its own");
        writer.Line("/// <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float})\"/> to the bit. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">B sequences of T steps of <see cref=\"InputSize\"/> features.</param>");
        writer.Line("/// <param name=\"states\">The streams' states, each advanced by T steps.</param>");
        writer.Line("/// <param name=\"outputs\">Receives B sequences of T steps of <see cref=\"OutputSize\"/> outputs.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Forward({ReadOnlySpan} inputs, global::System.Span<State> states, {Span} outputs)"))
        {
            writer.Line($"int steps = {kernels}.StepsOfStreams(inputs, states.Length, outputs);");
            using (writer.Block("if (steps == 0)"))
            {
                writer.Line("return;");
            }

            writer.Line();
            writer.Line($"{kernels}.ForwardStreams(ref _parameters.Start, ref {MemoryMarshal}.GetReference(inputs), states.Length, steps, ref {MemoryMarshal}.GetReference(states).Start, ref {MemoryMarshal}.GetReference(outputs));");
        }
    }

    private static void RecordingForward(SourceWriter writer, string kernels)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Runs a sequence like <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float})\"/>");
        writer.Line("/// and records in <paramref name=\"trace\"/> what <see cref=\"Backward(Trace, global::System.ReadOnlySpan{float}, global::System.Span{float}, global::System.Span{float}, ref State)\"/> needs. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">T steps of <see cref=\"InputSize\"/> features, T at most <see cref=\"Trace.MaxSteps\"/>.</param>");
        writer.Line("/// <param name=\"state\">The stream's state, advanced by T steps.</param>");
        writer.Line("/// <param name=\"outputs\">Receives T steps of <see cref=\"OutputSize\"/> outputs.</param>");
        writer.Line("/// <param name=\"trace\">Receives the recording, replacing the previous one.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit, or T exceeds the trace; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Forward({ReadOnlySpan} inputs, ref State state, {Span} outputs, Trace trace)"))
        {
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(trace);");
            writer.Line($"int steps = {kernels}.StepsOf(inputs, outputs);");
            using (writer.Block("if (steps > trace.MaxSteps)"))
            {
                writer.Line($"{kernels}.ThrowTraceTooShort(trace.MaxSteps, steps);");
            }

            writer.Line();
            writer.Line("trace.Steps = steps;");
            writer.Line($"{kernels}.Record(ref _parameters.Start, ref {MemoryMarshal}.GetReference(inputs), steps, ref state.Start, ref {MemoryMarshal}.GetReference(outputs), trace.Buffers);");
        }
    }

    private static void BatchedRecordingForward(SourceWriter writer, string kernels)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Runs B sequences of T steps each like <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{State}, global::System.Span{float})\"/>,");
        writer.Line("/// B = <paramref name=\"states\"/>.Length, and records sequence b in <paramref name=\"traces\"/>[b] for the batched");
        writer.Line("/// <see cref=\"Backward(global::System.ReadOnlySpan{Trace}, global::System.ReadOnlySpan{float}, global::System.Span{float})\"/>.");
        writer.Line("/// Each sequence's outputs, state and trace are those of its own recording");
        writer.Line("/// <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float}, Trace)\"/>. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">B sequences of T steps of <see cref=\"InputSize\"/> features, <c>[B, T, InputSize]</c>.</param>");
        writer.Line("/// <param name=\"states\">The streams' states, each advanced by T steps.</param>");
        writer.Line("/// <param name=\"outputs\">Receives <c>[B, T, OutputSize]</c> outputs.</param>");
        writer.Line("/// <param name=\"traces\">One trace per sequence, each holding at least T steps; each receives its sequence's recording.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit, a trace is null or too short; nothing was read or written.</exception>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public void Forward({ReadOnlySpan} inputs, global::System.Span<State> states, {Span} outputs, global::System.ReadOnlySpan<Trace> traces)"))
        {
            writer.Line($"int steps = {kernels}.StepsOfStreams(inputs, states.Length, outputs);");
            using (writer.Block("if (traces.Length != states.Length)"))
            {
                writer.Line($"{kernels}.ThrowTracesLength(traces.Length, states.Length);");
            }

            using (writer.Block("foreach (Trace trace in traces)"))
            {
                writer.Line("global::System.ArgumentNullException.ThrowIfNull(trace, nameof(traces));");
                using (writer.Block("if (steps > trace.MaxSteps)"))
                {
                    writer.Line($"{kernels}.ThrowTraceTooShort(trace.MaxSteps, steps);");
                }
            }

            writer.Line();
            writer.Line("int inputLength = steps * InputSize;");
            writer.Line("int outputLength = steps * OutputSize;");
            using (writer.Block("for (int sequence = 0; sequence < states.Length; sequence++)"))
            {
                writer.Line("traces[sequence].Steps = steps;");
                writer.Line($"{kernels}.Record(ref _parameters.Start, ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {MemoryMarshal}.GetReference(inputs), (global::System.IntPtr)sequence * inputLength), steps, ref states[sequence].Start, ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {MemoryMarshal}.GetReference(outputs), (global::System.IntPtr)sequence * outputLength), traces[sequence].Buffers);");
            }
        }
    }
}
