using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes the body of a model's file-local kernels class: the entry points that pick the SIMD block, one step
/// through every layer (<c>StepCore</c>), the sequence loops, and each layer's step kernel from its cell.
/// </summary>
internal static class ForwardKernelsEmitter
{
    public static void Emit(SourceWriter writer, ModelPlan plan)
    {
        // The model's State arrives as a reference to its first float and its Trace as its buffers: the kernels never
        // name the model's types, which a private nested model would not allow outside its container.
        const string state = "float";
        const string trace = "float[][]";
        writer.Line($"private const int InputSize = {plan.InputSize};");
        writer.Line($"private const int OutputSize = {plan.OutputSize};");
        writer.Line($"private const int ParameterCount = {plan.ParameterCount};");
        writer.Line();
        TraceEmitter.IndexConstants(writer, plan);
        writer.Line();

        writer.Line("private static bool s_stepCompiled;");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// A zeroed parameter buffer for a new model. The first call also runs one Step on it from a scratch state, so");
        writer.Line("/// the JIT compiles Step's kernels at construction (about 20 ms for an LSTM 8 → 32) rather than in the first");
        writer.Line("/// Step; two threads constructing the first models at once may both do so, which is harmless.");
        writer.Line("/// </summary>");
        using (writer.Block("public static AlignedFloats NewParameters()"))
        {
            writer.Line("AlignedFloats parameters = new(ParameterCount);");
            using (writer.Block("if (!s_stepCompiled)"))
            {
                writer.Line($"global::System.Span<float> scratch = stackalloc float[{plan.StateFloats} + InputSize + OutputSize];");
                writer.Line("ref float state = ref MemoryMarshal.GetReference(scratch);");
                writer.Line(plan.Streams
                    ? $"Step(ref parameters.Start, ref Unsafe.Add(ref state, {plan.StateFloats}), ref state, ref Unsafe.Add(ref state, {plan.StateFloats} + InputSize));"
                    : $"Forward(ref parameters.Start, ref Unsafe.Add(ref state, {plan.StateFloats}), 1, ref state, ref Unsafe.Add(ref state, {plan.StateFloats} + InputSize));");
                writer.Line("s_stepCompiled = true;");
            }

            writer.Line();
            writer.Line("return parameters;");
        }

        if (plan.Streams)
        {
            writer.Line();
            writer.Line("/// <summary>One step from the zero-based input: picks the widest accelerated block.</summary>");
            writer.Line(SourceFile.Optimized);
            using (writer.Block($"public static void Step(ref float weights, ref float input, ref {state} state, ref float output)"))
            {
                ModelEmitter.Dispatch(writer, "StepCore<{0}, NoTrace>(ref weights, ref input, ref state, ref output, null, 0);");
            }
        }

        writer.Line();
        writer.Line("/// <summary>A sequence of <paramref name=\"steps\"/> steps: picks the widest accelerated block.</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public static void Forward(ref float weights, ref float inputs, int steps, ref {state} state, ref float outputs)"))
        {
            ModelEmitter.Dispatch(writer, "ForwardCore<{0}>(ref weights, ref inputs, steps, ref state, ref outputs);");
        }

        writer.Line();
        BatchedEntryPoints(writer, plan, state);

        writer.Line();
        writer.Line("/// <summary>A sequence recorded for the backward pass: picks the widest accelerated block.</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public static void Record(ref float weights, ref float inputs, int steps, ref {state} state, ref float outputs, {trace} trace)"))
        {
            ModelEmitter.Dispatch(writer, "RecordCore<{0}>(ref weights, ref inputs, steps, ref state, ref outputs, trace);");
        }

        writer.Line();
        StepsOf(writer);
        writer.Line();
        if (plan.IsBidirectional)
        {
            // Layer by layer over the whole sequence: see SequenceKernelsEmitter.
            SequenceKernelsEmitter.EmitForward(writer, plan);
        }
        else
        {
            StepCore(writer, plan, state, trace, projected: false);
            writer.Line();
            ForwardCore(writer, plan, state);
            writer.Line();
            RecordCore(writer, plan, state, trace);
            writer.Line();
            RecordState(writer, plan, state, trace);
        }

        foreach (LayerPlan layer in plan.Layers)
        {
            WriteSteps(writer, layer, StepVariant.FromInput);
        }

        if (plan.InputProjection is { } projection)
        {
            writer.Line();
            StepCore(writer, plan, state, trace, projected: true);
            writer.Line();
            InputProjectionWriter.Emit(writer, plan.First, projection);
            WriteSteps(writer, plan.First, StepVariant.FromProjection);
        }
    }

    /// <summary>
    /// The batched entry points: B streams one step each, and B sequences of T steps each. Each stream sees exactly the
    /// operations of the single-stream core, so its results are those of its own <c>Step</c> or <c>Forward</c> to the
    /// bit; where every layer has a batched kernel, several streams share each weight load. The block is picked once
    /// for the whole batch. States are <c>StateFloats</c> apart: <c>State</c> is that many floats inline.
    /// </summary>
    private static void BatchedEntryPoints(SourceWriter writer, ModelPlan plan, string state)
    {
        writer.Line($"private const int StateFloats = {plan.StateFloats};");
        writer.Line();
        if (plan.Streams)
        {
            writer.Line("/// <summary>One step of <paramref name=\"streams\"/> streams, inputs and outputs row-major: picks the widest accelerated block.</summary>");
            writer.Line(SourceFile.Optimized);
            using (writer.Block($"public static void StepStreams(ref float weights, ref float inputs, int streams, ref {state} states, ref float outputs)"))
            {
                ModelEmitter.Dispatch(writer, "StepStreamsCore<{0}>(ref weights, ref inputs, streams, ref states, ref outputs);");
            }

            writer.Line();
        }

        writer.Line("/// <summary><paramref name=\"streams\"/> sequences of <paramref name=\"steps\"/> steps each, <c>[B, T, features]</c>: picks the widest accelerated block.</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"public static void ForwardStreams(ref float weights, ref float inputs, int streams, int steps, ref {state} states, ref float outputs)"))
        {
            ModelEmitter.Dispatch(writer, "ForwardStreamsCore<{0}>(ref weights, ref inputs, streams, steps, ref states, ref outputs);");
        }

        writer.Line();
        if (plan.TilesStreams)
        {
            StreamTiledCores(writer, plan, state);
        }
        else
        {
            PerStreamCores(writer, state, plan.Streams);
        }

        writer.Line();
        writer.Line("/// <summary>Checks that <paramref name=\"inputs\"/> holds one row per stream and <paramref name=\"outputs\"/> room for as many.</summary>");
        using (writer.Block("public static void CheckStreams(global::System.ReadOnlySpan<float> inputs, int streams, global::System.Span<float> outputs)"))
        {
            using (writer.Block("if (inputs.Length != (long)streams * InputSize)"))
            {
                writer.Line("ThrowArgument($\"Expected {streams} streams × {InputSize} features = {(long)streams * InputSize} floats, got {inputs.Length}.\", nameof(inputs));");
            }

            using (writer.Block("if (outputs.Length != (long)streams * OutputSize)"))
            {
                writer.Line("ThrowArgument($\"Expected room for {streams} streams × {OutputSize} outputs = {(long)streams * OutputSize} floats, got {outputs.Length}.\", nameof(outputs));");
            }
        }

        writer.Line();
        writer.Line("/// <summary>Checks that <paramref name=\"inputs\"/> holds whole <c>[B, T, InputSize]</c> sequences and <paramref name=\"outputs\"/> room for their outputs; returns T.</summary>");
        using (writer.Block("public static int StepsOfStreams(global::System.ReadOnlySpan<float> inputs, int streams, global::System.Span<float> outputs)"))
        {
            using (writer.Block("if (streams == 0)"))
            {
                using (writer.Block("if (inputs.Length != 0)"))
                {
                    writer.Line("ThrowArgument($\"No states, so no inputs expected; got {inputs.Length} floats.\", nameof(inputs));");
                }

                using (writer.Block("if (outputs.Length != 0)"))
                {
                    writer.Line("ThrowArgument($\"No states, so no outputs expected; got room for {outputs.Length} floats.\", nameof(outputs));");
                }

                writer.Line("return 0;");
            }

            writer.Line();
            writer.Line("long row = (long)streams * InputSize;");
            using (writer.Block("if (inputs.Length % row != 0)"))
            {
                writer.Line("ThrowArgument($\"Expected {streams} sequences of whole steps of {InputSize} features (a multiple of {row} floats), got {inputs.Length}.\", nameof(inputs));");
            }

            writer.Line();
            writer.Line("int steps = (int)(inputs.Length / row);");
            using (writer.Block("if (outputs.Length != (long)streams * steps * OutputSize)"))
            {
                writer.Line("ThrowArgument($\"Expected room for {streams} sequences of {steps} steps of {OutputSize} outputs, got {outputs.Length} floats.\", nameof(outputs));");
            }

            writer.Line();
            writer.Line("return steps;");
        }
    }

    /// <summary>
    /// Batched cores that advance <see cref="TilePlan.WideTileStreams"/> streams at once where the block has 32 vector
    /// registers, else <see cref="TilePlan.TileStreams"/>, through every layer's batched kernel; the streams left over
    /// take the single-stream core. Every stream's operations are its own single-stream step's, so its results are too.
    /// </summary>
    private static void StreamTiledCores(SourceWriter writer, ModelPlan plan, string state)
    {
        int[] tileStreams = { TilePlan.WideTileStreams, TilePlan.TileStreams };
        writer.Line("/// <summary>Each stream's step is that of <see cref=\"StepCore\"/>, several streams sharing each weight load.</summary>");
        KernelWriter.Signature(writer, $"private static void StepStreamsCore<TBlock>(ref float weights, ref float inputs, int streams, ref {state} states, ref float outputs)", traced: false);
        using (writer.Block())
        {
            writer.Line("NInt stream = 0;");
            TileLoops(writer, tileStreams, streams => writer.Line($"StepStreams{streams}<TBlock>(ref weights, ref Unsafe.Add(ref inputs, stream * InputSize), InputSize, ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, stream * OutputSize), OutputSize);"));
            writer.Line();
            writer.Line("// The streams left over, one at a time.");
            using (writer.Block("for (; stream < streams; stream++)"))
            {
                writer.Line("StepCore<TBlock, NoTrace>(ref weights, ref Unsafe.Add(ref inputs, stream * InputSize), ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, stream * OutputSize), null, 0);");
            }
        }

        writer.Line();
        writer.Line("/// <summary>Each sequence's steps are those of <see cref=\"ForwardCore\"/>, several sequences sharing each weight load.</summary>");
        KernelWriter.Signature(writer, $"private static void ForwardStreamsCore<TBlock>(ref float weights, ref float inputs, int streams, int steps, ref {state} states, ref float outputs)", traced: false);
        using (writer.Block())
        {
            writer.Line("NInt stream = 0;");
            TileLoops(writer, tileStreams, streams =>
            {
                using (writer.Block("for (NInt step = 0; step < steps; step++)"))
                {
                    writer.Line($"StepStreams{streams}<TBlock>(ref weights, ref Unsafe.Add(ref inputs, ((stream * steps) + step) * InputSize), steps * InputSize, ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, ((stream * steps) + step) * OutputSize), steps * OutputSize);");
                }
            });
            writer.Line();
            writer.Line("// The sequences left over, one at a time.");
            using (writer.Block("for (; stream < streams; stream++)"))
            {
                writer.Line("ForwardCore<TBlock>(ref weights, ref Unsafe.Add(ref inputs, stream * steps * InputSize), steps, ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, stream * steps * OutputSize));");
            }
        }

        foreach (int streams in tileStreams)
        {
            writer.Line();
            StepStreams(writer, plan, streams);
            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsRecurrent))
            {
                writer.Line();
                layer.Cell.WriteStep(writer, layer.StreamView(streams), StepVariant.FromInput);
            }
        }
    }

    /// <summary>The loops over whole tiles of streams: the wide tile where the block has 32 vector registers (a JIT-time constant), else the narrow.</summary>
    private static void TileLoops(SourceWriter writer, int[] tileStreams, Action<int> call)
    {
        using (writer.Block("if (TBlock.WideTiles)"))
        {
            writer.Line($"// {tileStreams[0]} streams at a time: their accumulators fit beside the broadcasts in 32 vector registers.");
            using (writer.Block($"for (; stream + {tileStreams[0]} <= streams; stream += {tileStreams[0]})"))
            {
                call(tileStreams[0]);
            }
        }

        using (writer.Block("else"))
        {
            using (writer.Block($"for (; stream + {tileStreams[1]} <= streams; stream += {tileStreams[1]})"))
            {
                call(tileStreams[1]);
            }
        }
    }

    /// <summary>One step of <paramref name="streams"/> streams through every layer: the recurrent layers' batched kernels, then the head for each stream.</summary>
    private static void StepStreams(SourceWriter writer, ModelPlan plan, int streams)
    {
        writer.Line($"/// <summary>One step of {streams} streams whose inputs and outputs are <paramref name=\"inputStride\"/> and <paramref name=\"outputStride\"/> floats apart and whose states are consecutive.</summary>");
        KernelWriter.Signature(writer, $"private static void StepStreams{streams}<TBlock>(ref float weights, ref float inputs, NInt inputStride, ref float states, ref float outputs, NInt outputStride)", traced: false);
        using (writer.Block())
        {
            string input = "ref inputs, inputStride";
            foreach (LayerPlan layer in plan.Layers.Where(layer => layer.IsRecurrent))
            {
                writer.Line($"{layer.StreamView(streams).KernelName}<TBlock>(ref weights, {input}, ref states);");
                int hidden = layer.Hidden.Offset;
                input = $"{(hidden == 0 ? "ref states" : $"ref Unsafe.Add(ref states, {hidden})")}, StateFloats";
            }

            int topHidden = plan.TopRecurrent.Hidden.Offset;
            string top = topHidden == 0 ? "ref Unsafe.Add(ref states, stream * StateFloats)" : $"ref Unsafe.Add(ref states, (stream * StateFloats) + {topHidden})";
            writer.Line();
            using (writer.Block($"for (NInt stream = 0; stream < {streams}; stream++)"))
            {
                if (plan.Head is { } head)
                {
                    string typeArguments = head.Records ? "TBlock, NoTrace" : "TBlock";
                    string record = head.Records ? ", ref Unsafe.NullRef<float>()" : string.Empty;
                    writer.Line($"{head.KernelName}<{typeArguments}>(ref weights, {top}, ref Unsafe.Add(ref outputs, stream * outputStride){record});");
                }
                else
                {
                    writer.Line($"MemoryMarshal.CreateReadOnlySpan({top}, OutputSize).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref outputs, stream * outputStride), OutputSize));");
                }
            }
        }
    }

    /// <summary>
    /// The batched cores without batched kernels: each stream runs the single-stream core, in stream order; without
    /// <paramref name="steps"/> (a bidirectional model) only the sequence one.
    /// </summary>
    private static void PerStreamCores(SourceWriter writer, string state, bool steps)
    {
        if (steps)
        {
            StepStreamsPerStream(writer, state);
            writer.Line();
        }

        writer.Line("/// <summary>Each sequence is <see cref=\"ForwardCore\"/> on its own rows and state, in stream order.</summary>");
        KernelWriter.Signature(writer, $"private static void ForwardStreamsCore<TBlock>(ref float weights, ref float inputs, int streams, int steps, ref {state} states, ref float outputs)", traced: false);
        using (writer.Block())
        {
            using (writer.Block("for (NInt stream = 0; stream < streams; stream++)"))
            {
                writer.Line("ForwardCore<TBlock>(ref weights, ref Unsafe.Add(ref inputs, stream * steps * InputSize), steps, ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, stream * steps * OutputSize));");
            }
        }
    }

    private static void StepStreamsPerStream(SourceWriter writer, string state)
    {
        writer.Line("/// <summary>Each stream's step is <see cref=\"StepCore\"/> on its own row and state, in stream order.</summary>");
        KernelWriter.Signature(writer, $"private static void StepStreamsCore<TBlock>(ref float weights, ref float inputs, int streams, ref {state} states, ref float outputs)", traced: false);
        using (writer.Block())
        {
            using (writer.Block("for (NInt stream = 0; stream < streams; stream++)"))
            {
                writer.Line("StepCore<TBlock, NoTrace>(ref weights, ref Unsafe.Add(ref inputs, stream * InputSize), ref Unsafe.Add(ref states, stream * StateFloats), ref Unsafe.Add(ref outputs, stream * OutputSize), null, 0);");
            }
        }

    }

    /// <summary>A layer's step kernel, and its wide twin when it has one.</summary>
    private static void WriteSteps(SourceWriter writer, LayerPlan layer, StepVariant variant)
    {
        writer.Line();
        layer.Cell.WriteStep(writer, layer, variant);
        if (layer.WideView is { } wide)
        {
            writer.Line();
            wide.Cell.WriteStep(writer, wide, variant);
        }
    }

    private static void StepsOf(SourceWriter writer)
    {
        writer.Line("/// <summary>Checks that <paramref name=\"inputs\"/> holds whole steps and <paramref name=\"outputs\"/> room for as many; returns T.</summary>");
        using (writer.Block("public static int StepsOf(global::System.ReadOnlySpan<float> inputs, global::System.Span<float> outputs)"))
        {
            using (writer.Block("if (inputs.Length % InputSize != 0)"))
            {
                writer.Line("ThrowArgument($\"Expected whole steps of {InputSize} features, got {inputs.Length} floats.\", nameof(inputs));");
            }

            writer.Line();
            writer.Line("int steps = inputs.Length / InputSize;");
            using (writer.Block("if (outputs.Length != (long)steps * OutputSize)"))
            {
                writer.Line("ThrowArgument($\"Expected room for {steps} steps of {OutputSize} outputs, got {outputs.Length} floats.\", nameof(outputs));");
            }

            writer.Line();
            writer.Line("return steps;");
        }

        writer.Line();
        ThrowHelpers(writer, new[]
        {
            ("ThrowInputLength(int length)", "$\"Expected {InputSize} input features, got {length}.\", \"input\""),
            ("ThrowOutputLength(int length)", "$\"Expected room for {OutputSize} outputs, got {length}.\", \"output\""),
            ("ThrowTraceTooShort(int maxSteps, int steps)", "$\"The trace holds at most {maxSteps} steps; the inputs have {steps}.\", \"trace\""),
            ("ThrowTracesLength(int traces, int streams)", "$\"Expected one trace per stream, {streams}; got {traces}.\", \"traces\""),
        });
    }

    /// <summary>
    /// Methods that only throw, out of line, so that the checks in <c>Step</c> and <c>Forward</c> cost a compare and a
    /// branch: a message built in place would give every call a string builder's worth of stack to clear.
    /// </summary>
    public static void ThrowHelpers(SourceWriter writer, IEnumerable<(string Signature, string Arguments)> helpers, bool argumentHelper = true)
    {
        foreach ((string signature, string arguments) in helpers)
        {
            writer.Line("[global::System.Diagnostics.CodeAnalysis.DoesNotReturn]");
            writer.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
            writer.Line($"public static void {signature} => throw new global::System.ArgumentException({arguments});");
            writer.Line();
        }

        if (!argumentHelper)
        {
            return;
        }

        writer.Line("[global::System.Diagnostics.CodeAnalysis.DoesNotReturn]");
        writer.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]");
        writer.Line("private static void ThrowArgument(string message, string parameter) => throw new global::System.ArgumentException(message, parameter);");
    }

    /// <summary>
    /// One step through every layer: each layer's kernel reads the layer below's h (the first, the saturated input or,
    /// <paramref name="projected"/>, its projection row) and updates its own state vectors.
    /// </summary>
    private static void StepCore(SourceWriter writer, ModelPlan plan, string state, string trace, bool projected)
    {
        writer.Line(projected
            ? "/// <summary>One step through every layer, layer 0 starting from the step's row of its input projection; records like <see cref=\"StepCore\"/>.</summary>"
            : "/// <summary>One step through every layer; when <typeparamref name=\"TTrace\"/> records, the gates go to <paramref name=\"trace\"/> at <paramref name=\"step\"/>.</summary>");
        KernelWriter.Signature(
            writer,
            projected
                ? $"private static void StepProjected<TBlock, TTrace>(ref float weights, ref float projection, ref {state} state, ref float output, {trace}? trace, NInt step)"
                : $"private static void StepCore<TBlock, TTrace>(ref float weights, ref float input, ref {state} state, ref float output, {trace}? trace, NInt step)",
            traced: true);
        using (writer.Block())
        {
            string input = projected ? "ref projection" : "ref input";
            const string NoRecord = "ref Unsafe.NullRef<float>()";
            foreach (LayerPlan layer in plan.Layers)
            {
                StepVariant variant = projected && layer.Index == 0 ? StepVariant.FromProjection : StepVariant.FromInput;
                var traced = new List<string>();
                if (layer.Records)
                {
                    writer.Line($"ref float gates{layer.Index} = ref TTrace.IsRecording ? ref {TraceRow($"trace![Gates{layer.Index}]", layer.RecordStride)} : {NoRecord};");
                    traced.Add($"ref gates{layer.Index}");
                }

                foreach (TraceArray array in layer.Cell.TraceArrays)
                {
                    writer.Line($"ref float {array.Parameter}{layer.Index} = ref TTrace.IsRecording ? ref {TraceRow($"trace![{array.Name}{layer.Index}]", layer.PaddedSize)} : {NoRecord};");
                    traced.Add($"ref {array.Parameter}{layer.Index}");
                }

                if (layer.WideView is { } wide)
                {
                    // A JIT-time constant: only one of the two kernels is compiled.
                    using (writer.Block("if (TBlock.WideTiles)"))
                    {
                        LayerCall(writer, wide, variant, input, traced);
                    }

                    using (writer.Block("else"))
                    {
                        LayerCall(writer, layer, variant, input, traced);
                    }
                }
                else
                {
                    LayerCall(writer, layer, variant, input, traced);
                }

                if (layer.IsRecurrent)
                {
                    input = StateRef(layer.Hidden.Offset);
                }
            }

            if (plan.Head is null)
            {
                writer.Line($"MemoryMarshal.CreateReadOnlySpan({StateRef(plan.TopRecurrent.Hidden.Offset)}, OutputSize)");
                writer.Indent();
                writer.Line(".CopyTo(MemoryMarshal.CreateSpan(ref output, OutputSize));");
                writer.Unindent();
            }
        }
    }

    /// <summary>
    /// Calls one layer's step kernel. The model's raw input is saturated first into a scratch vector, unless the kernel
    /// saturates each feature as it broadcasts it (<see cref="LayerPlan.ClampsInput"/>).
    /// </summary>
    private static void LayerCall(SourceWriter writer, LayerPlan layer, StepVariant variant, string input, IEnumerable<string> traced)
    {
        if (layer.Index == 0 && variant == StepVariant.FromInput && !layer.ClampsInput)
        {
            writer.Line("// Inputs saturate at ±1e30 (see Saturation): ±Inf cannot turn a dot product into Inf - Inf.");
            writer.Line("global::System.Span<float> saturatedInput = stackalloc float[InputSize];");
            writer.Line("Saturation.Clamp(MemoryMarshal.CreateReadOnlySpan(ref input, InputSize), saturatedInput);");
            input = "ref MemoryMarshal.GetReference(saturatedInput)";
        }

        var arguments = new List<string> { "ref weights", input };
        arguments.AddRange(layer.IsRecurrent ? layer.StateVectors.Select(vector => StateRef(vector.Offset)) : new[] { "ref output" });
        arguments.AddRange(traced);
        string typeArguments = layer.Records ? "TBlock, TTrace" : "TBlock";
        writer.Line($"{KernelWriter.StepKernelName(layer, variant)}<{typeArguments}>({string.Join(", ", arguments)});");
    }

    /// <summary>A reference to the state float at <paramref name="offset"/>.</summary>
    private static string StateRef(int offset) => offset == 0 ? "ref state" : $"ref Unsafe.Add(ref state, {offset})";

    private static string TraceRow(string array, int stride) => $"Unsafe.Add(ref MemoryMarshal.GetArrayDataReference({array}), step * {stride})";

    /// <summary>
    /// <c>Forward</c>'s loop. When the plan hoists the input projection, the first layer's <c>b + W_ih x</c> is
    /// computed a chunk of steps ahead and each step starts from its row; otherwise it is <c>Step</c>'s core in a loop.
    /// </summary>
    private static void ForwardCore(SourceWriter writer, ModelPlan plan, string state)
    {
        writer.Line("/// <summary>Runs <paramref name=\"steps\"/> steps, returning exactly what as many <see cref=\"StepCore\"/> calls return.</summary>");
        KernelWriter.Signature(writer, $"private static void ForwardCore<TBlock>(ref float weights, ref float inputs, int steps, ref {state} state, ref float outputs)", traced: false);
        using (writer.Block())
        {
            if (plan.InputProjection is not { } projection)
            {
                using (writer.Block("for (NInt step = 0; step < steps; step++)"))
                {
                    writer.Line("StepCore<TBlock, NoTrace>(ref weights, ref Unsafe.Add(ref inputs, step * InputSize), ref state, ref Unsafe.Add(ref outputs, step * OutputSize), null, 0);");
                }

                return;
            }

            writer.Line("// Layer 0's b + W_ih x does not depend on the state: it is computed for a chunk of steps at a");
            writer.Line("// time, the steps sharing each weight load, and the recurrence starts from it.");
            writer.Line($"const int ChunkSteps = {projection.ChunkSteps};");
            writer.Line($"const int RowFloats = {projection.RowFloats};");
            writer.Line();
            KernelWriter.StackScratch(writer, "saturated", "ChunkSteps * InputSize", "Inputs saturate at ±1e30 (see Saturation): ±Inf cannot turn a dot product into Inf - Inf.");
            KernelWriter.StackScratch(writer, "projection", "ChunkSteps * RowFloats", "One row of b + W_ih x per step of the chunk.");
            writer.Line();
            using (writer.Block("for (NInt first = 0; first < steps; first += ChunkSteps)"))
            {
                writer.Line("int count = (int)global::System.Math.Min(ChunkSteps, steps - first);");
                writer.Line("Saturation.Clamp(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref inputs, first * InputSize), count * InputSize), saturatedBuffer);");
                writer.Line($"{InputProjectionWriter.KernelName(plan.First)}<TBlock>(ref weights, ref saturated, count, ref projection);");
                using (writer.Block("for (NInt step = 0; step < count; step++)"))
                {
                    writer.Line("StepProjected<TBlock, NoTrace>(ref weights, ref Unsafe.Add(ref projection, step * RowFloats), ref state, ref Unsafe.Add(ref outputs, (first + step) * OutputSize), null, 0);");
                }
            }
        }
    }

    private static void RecordCore(SourceWriter writer, ModelPlan plan, string state, string trace)
    {
        writer.Line("/// <summary>Runs <paramref name=\"steps\"/> steps like <see cref=\"ForwardCore\"/>, recording every step in <paramref name=\"trace\"/>.</summary>");
        KernelWriter.Signature(writer, $"private static void RecordCore<TBlock>(ref float weights, ref float inputs, int steps, ref {state} state, ref float outputs, {trace} trace)", traced: false);
        using (writer.Block())
        {
            writer.Line("// Backward must see the inputs the kernels used: saturated as in StepCore.");
            writer.Line("Saturation.Clamp(MemoryMarshal.CreateReadOnlySpan(ref inputs, steps * InputSize), trace[Inputs]);");
            writer.Line("RecordState(ref state, trace, 0);");
            if (plan.InputProjection is { } projection)
            {
                writer.Line();
                writer.Line("// As in Forward: layer 0's b + W_ih x a chunk of steps ahead, here from the saturated inputs in the trace.");
                writer.Line($"const int ChunkSteps = {projection.ChunkSteps};");
                writer.Line($"const int RowFloats = {projection.RowFloats};");
                writer.Line("ref float saturated = ref MemoryMarshal.GetArrayDataReference(trace[Inputs]);");
                KernelWriter.StackScratch(writer, "projection", "ChunkSteps * RowFloats", "One row of b + W_ih x per step of the chunk.");
                using (writer.Block("for (NInt first = 0; first < steps; first += ChunkSteps)"))
                {
                    writer.Line("int count = (int)global::System.Math.Min(ChunkSteps, steps - first);");
                    writer.Line($"{InputProjectionWriter.KernelName(plan.First)}<TBlock>(ref weights, ref Unsafe.Add(ref saturated, first * InputSize), count, ref projection);");
                    using (writer.Block("for (NInt step = first; step < first + count; step++)"))
                    {
                        writer.Line("StepProjected<TBlock, RecordTrace>(ref weights, ref Unsafe.Add(ref projection, (step - first) * RowFloats), ref state, ref Unsafe.Add(ref outputs, step * OutputSize), trace, step);");
                        writer.Line("RecordState(ref state, trace, step + 1);");
                    }
                }
            }
            else
            {
                using (writer.Block("for (NInt step = 0; step < steps; step++)"))
                {
                    writer.Line("StepCore<TBlock, RecordTrace>(ref weights, ref Unsafe.Add(ref inputs, step * InputSize), ref state, ref Unsafe.Add(ref outputs, step * OutputSize), trace, step);");
                    writer.Line("RecordState(ref state, trace, step + 1);");
                }
            }
        }
    }

    private static void RecordState(SourceWriter writer, ModelPlan plan, string state, string trace)
    {
        writer.Line("/// <summary>Copies every layer's state into the trace's histories at <paramref name=\"index\"/> (0: before the first step).</summary>");
        writer.Line(SourceFile.Optimized);
        using (writer.Block($"private static void RecordState(ref {state} state, {trace} trace, NInt index)"))
        {
            foreach (LayerPlan layer in plan.Layers)
            {
                foreach (StateVector vector in layer.StateVectors)
                {
                    writer.Line($"MemoryMarshal.CreateReadOnlySpan({StateRef(vector.Offset)}, {vector.PaddedUnits}).CopyTo(new global::System.Span<float>(trace[{vector.Name}{layer.Index}], (int)index * {vector.PaddedUnits}, {vector.PaddedUnits}));");
                }
            }
        }
    }
}
