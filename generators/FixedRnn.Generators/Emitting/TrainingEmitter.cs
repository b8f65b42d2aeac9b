using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits training support: the <c>Trace</c>, a recording <c>Forward</c>, and <c>Backward</c> with one
/// backward kernel per layer, applied from the top layer down.
/// </summary>
internal static class TrainingEmitter
{
    private const string Unsafe = KernelWriter.Unsafe;
    private const string MemoryMarshal = KernelWriter.MemoryMarshal;
    private const string ArgumentException = "global::System.ArgumentException";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        TraceEmitter.Emit(writer, layout);
        writer.Line();
        EmitRecordingForward(writer, layout);
        writer.Line();
        EmitBackward(writer, layout);
        foreach (LayerLayout layer in layout.Layers.Reverse())
        {
            writer.Line();
            EmitLayerBackward(writer, layout, layer);
        }
    }

    private static void EmitRecordingForward(SourceWriter writer, ModelLayout layout)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Runs a sequence like <see cref=\"Forward(global::System.ReadOnlySpan{float}, ref State, global::System.Span{float})\"/>");
        writer.Line("/// and records in <paramref name=\"trace\"/> what <see cref=\"Backward\"/> needs. Allocates nothing.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"inputs\">T steps of <see cref=\"InputSize\"/> features, T at most <see cref=\"Trace.MaxSteps\"/>.</param>");
        writer.Line("/// <param name=\"state\">The stream's state, advanced by T steps.</param>");
        writer.Line("/// <param name=\"outputs\">Receives T steps of <see cref=\"OutputSize\"/> outputs.</param>");
        writer.Line("/// <param name=\"trace\">Receives the recording, replacing the previous one.</param>");
        writer.Line("/// <exception cref=\"global::System.ArgumentException\">A span's length does not fit, or T exceeds the trace; nothing was read or written.</exception>");
        using (writer.Block("public void Forward(global::System.ReadOnlySpan<float> inputs, ref State state, global::System.Span<float> outputs, Trace trace)"))
        {
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(trace);");
            writer.Line("int steps = StepsOf(inputs, outputs);");
            using (writer.Block("if (steps > trace.MaxSteps)"))
            {
                writer.Line($"throw new {ArgumentException}($\"The trace holds at most {{trace.MaxSteps}} steps; the inputs have {{steps}}.\", nameof(trace));");
            }

            writer.Line();
            writer.Line($"ref float inputStart = ref {MemoryMarshal}.GetReference(inputs);");
            writer.Line($"ref float outputStart = ref {MemoryMarshal}.GetReference(outputs);");
            ModelEmitter.Dispatch(writer, "RecordCore<{0}>(ref inputStart, steps, ref state, ref outputStart, trace);");
        }

        writer.Line();
        writer.Line("private void RecordCore<TBlock>(ref float inputs, int steps, ref State state, ref float outputs, Trace trace)");
        writer.Indent();
        writer.Line(KernelWriter.BlockConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            writer.Line("trace.Steps = steps;");
            writer.Line("// Backward must see the inputs the kernels used: saturated as in StepCore.");
            writer.Line($"global::FixedRnn.Numerics.Saturation.Clamp({MemoryMarshal}.CreateReadOnlySpan(ref inputs, steps * InputSize), trace.Inputs);");
            writer.Line("RecordState(ref state, trace, 0);");
            LayerLayout first = layout.Layers[0];
            if (InputProjectionWriter.Applies(first))
            {
                writer.Line();
                writer.Line("// As in Forward: layer 0's b + W_ih x a chunk of steps ahead, here from the saturated inputs in the trace.");
                writer.Line($"const int ChunkSteps = {InputProjectionWriter.ChunkSteps(first)};");
                writer.Line($"const int RowFloats = {InputProjectionWriter.RowFloats(first)};");
                writer.Line("ref float weights = ref _parameters.Start;");
                writer.Line($"ref float saturated = ref {MemoryMarshal}.GetArrayDataReference(trace.Inputs);");
                KernelWriter.StackScratch(writer, "projection", "ChunkSteps * RowFloats", "One row of b + W_ih x per step of the chunk.");
                using (writer.Block("for (nint first = 0; first < steps; first += ChunkSteps)"))
                {
                    writer.Line("int count = (int)global::System.Math.Min(ChunkSteps, steps - first);");
                    writer.Line($"{InputProjectionWriter.KernelName(first)}<TBlock>(ref weights, ref {Unsafe}.Add(ref saturated, first * InputSize), count, ref projection);");
                    using (writer.Block("for (nint step = first; step < first + count; step++)"))
                    {
                        writer.Line($"StepProjected<TBlock, global::FixedRnn.Numerics.RecordTrace>(ref weights, ref {Unsafe}.Add(ref projection, (step - first) * RowFloats), ref state, ref {Unsafe}.Add(ref outputs, step * OutputSize), trace, step);");
                        writer.Line("RecordState(ref state, trace, step + 1);");
                    }
                }
            }
            else
            {
                using (writer.Block("for (nint step = 0; step < steps; step++)"))
                {
                    writer.Line($"StepCore<TBlock, global::FixedRnn.Numerics.RecordTrace>(ref {Unsafe}.Add(ref inputs, step * InputSize), ref state, ref {Unsafe}.Add(ref outputs, step * OutputSize), trace, step);");
                    writer.Line("RecordState(ref state, trace, step + 1);");
                }
            }
        }

        writer.Line();
        writer.Line("/// <summary>Copies every layer's state into the trace's histories at <paramref name=\"index\"/> (0: before the first step).</summary>");
        using (writer.Block("private static void RecordState(ref State state, Trace trace, nint index)"))
        {
            writer.Line("ref float floats = ref state.Start;");
            foreach (LayerLayout layer in layout.Recurrent)
            {
                Copy(writer, layer.HiddenState, $"trace.Hidden{layer.Index}", layer.PaddedSize);
                if (layer.Spec.Kind == LayerKind.Lstm)
                {
                    Copy(writer, layer.CellState, $"trace.Cell{layer.Index}", layer.PaddedSize);
                }
            }
        }
    }

    private static void Copy(SourceWriter writer, int stateOffset, string array, int length)
        => writer.Line($"{MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref floats, {stateOffset}), {length}).CopyTo(new global::System.Span<float>({array}, (int)index * {length}, {length}));");

    private static void EmitBackward(SourceWriter writer, ModelLayout layout)
    {
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
        using (writer.Block("public void Backward(Trace trace, global::System.ReadOnlySpan<float> outputGradients, global::System.Span<float> parameterGradients, global::System.Span<float> inputGradients, ref State stateGradient)"))
        {
            writer.Line("global::System.ArgumentNullException.ThrowIfNull(trace);");
            using (writer.Block("if (outputGradients.Length != (long)trace.Steps * OutputSize)"))
            {
                writer.Line($"throw new {ArgumentException}($\"Expected {{trace.Steps}} steps of {{OutputSize}} output gradients, got {{outputGradients.Length}} floats.\", nameof(outputGradients));");
            }

            using (writer.Block("if (parameterGradients.Length != ParameterCount)"))
            {
                writer.Line($"throw new {ArgumentException}($\"Expected {{ParameterCount}} parameter gradients, got {{parameterGradients.Length}}.\", nameof(parameterGradients));");
            }

            using (writer.Block("if (!inputGradients.IsEmpty && inputGradients.Length != (long)trace.Steps * InputSize)"))
            {
                writer.Line($"throw new {ArgumentException}($\"Expected {{trace.Steps}} steps of {{InputSize}} input gradients (or none), got {{inputGradients.Length}} floats.\", nameof(inputGradients));");
            }

            writer.Line();
            writer.Line($"ref float outputStart = ref {MemoryMarshal}.GetReference(outputGradients);");
            writer.Line($"ref float gradientStart = ref {MemoryMarshal}.GetReference(parameterGradients);");
            writer.Line($"ref float inputStart = ref {MemoryMarshal}.GetReference(inputGradients);");
            ModelEmitter.Dispatch(writer, "BackwardCore<{0}>(trace, ref outputStart, ref gradientStart, ref inputStart, !inputGradients.IsEmpty, ref stateGradient);");
        }

        writer.Line();
        writer.Line("private void BackwardCore<TBlock>(Trace trace, ref float outputGradients, ref float gradients, ref float inputGradients, bool hasInputGradients, ref State stateGradient)");
        writer.Indent();
        writer.Line(KernelWriter.BlockConstraint);
        writer.Unindent();
        using (writer.Block())
        {
            writer.Line("ref float weights = ref _parameters.Start;");
            writer.Line("ref float floats = ref stateGradient.Start;");
            writer.Line("nint steps = trace.Steps;");
            LayerLayout top = layout.Recurrent.Last();
            if (layout.Dense is { } dense)
            {
                writer.Line($"{dense.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, ref outputGradients, ref {MemoryMarshal}.GetArrayDataReference(trace.OutputGradients{top.Index}));");
            }
            else
            {
                writer.Line("// dL/dh of the top layer is dL/dOutputs, copied into whole blocks.");
                using (writer.Block("for (nint t = 0; t < steps; t++)"))
                {
                    writer.Line($"{MemoryMarshal}.CreateReadOnlySpan(ref {Unsafe}.Add(ref outputGradients, t * OutputSize), OutputSize)");
                    writer.Indent();
                    writer.Line($".CopyTo(new global::System.Span<float>(trace.OutputGradients{top.Index}, (int)t * {top.PaddedSize}, OutputSize));");
                    writer.Unindent();
                }
            }

            foreach (LayerLayout layer in layout.Recurrent.Reverse())
            {
                string downstream = layer.Index == 0
                    ? "ref inputGradients, hasInputGradients"
                    : $"ref {MemoryMarshal}.GetArrayDataReference(trace.OutputGradients{layer.Index - 1}), true";
                string state = $"ref {Unsafe}.Add(ref floats, {layer.HiddenState})";
                if (layer.Spec.Kind == LayerKind.Lstm)
                {
                    state += $", ref {Unsafe}.Add(ref floats, {layer.CellState})";
                }

                writer.Line($"{layer.KernelName}Backward<TBlock>(ref weights, ref gradients, trace, steps, {downstream}, {state});");
            }
        }
    }

    private static void EmitLayerBackward(SourceWriter writer, ModelLayout layout, LayerLayout layer)
    {
        // A layer's input features: the model inputs for the first layer, else the h after each step below.
        string inputSource;
        int inputStride;
        if (layer.Index == 0)
        {
            inputSource = $"{MemoryMarshal}.GetArrayDataReference(trace.Inputs)";
            inputStride = layout.Model.InputSize;
        }
        else
        {
            LayerLayout below = layout.Layers[layer.Index - 1];
            inputSource = $"{Unsafe}.Add(ref {MemoryMarshal}.GetArrayDataReference(trace.Hidden{below.Index}), {below.PaddedSize})";
            inputStride = below.PaddedSize;
        }

        switch (layer.Spec.Kind)
        {
            case LayerKind.Lstm:
                LstmEmitter.EmitBackward(writer, layer, inputSource, inputStride);
                break;
            case LayerKind.Gru:
                GruEmitter.EmitBackward(writer, layer, inputSource, inputStride);
                break;
            case LayerKind.Rnn:
                RnnEmitter.EmitBackward(writer, layer, inputSource, inputStride);
                break;
            default:
                DenseEmitter.EmitBackward(writer, layer, inputSource, inputStride);
                break;
        }
    }
}
