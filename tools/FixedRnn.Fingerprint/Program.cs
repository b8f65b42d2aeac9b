using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FixedRnn;
using FixedRnn.Interop;
using FixedRnn.Training;

namespace FixedRnn.Fingerprint;

/// <summary>
/// <c>dump DIR</c> writes, for every model declared in this assembly, the exact floats of a Step loop, a
/// Forward, a recording Forward and a Backward (outputs, states, parameter, input and state gradients) from
/// seeded weights and inputs, and from the committed PyTorch fixtures; <c>compare A B</c> reports, per model
/// and quantity, whether the two dumps agree bit for bit and the largest difference in ulps.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "dump")
        {
            Directory.CreateDirectory(args[1]);
            int files = Dumper.DumpAll(args[1]);
            Console.WriteLine($"{files} quantities written to {args[1]} ({Dumper.Path()})");
            return 0;
        }

        if (args.Length == 3 && args[0] == "compare")
        {
            return Comparison.Run(args[1], args[2]);
        }

        Console.Error.WriteLine("usage: dump DIR | compare DIR_A DIR_B");
        return 2;
    }
}

internal static class Dumper
{
    private const int Steps = 70; // past Forward's first chunk of hoisted input projections for most models
    private const int Seed = 20261202;

    public static string Path() => Vector512.IsHardwareAccelerated ? "Vector512 accelerated"
        : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";

    public static int DumpAll(string directory)
    {
        int count = 0;
        MethodInfo dump = typeof(Dumper).GetMethod(nameof(DumpModel), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (Type type in typeof(Dumper).Assembly.GetTypes().OrderBy(type => type.FullName, StringComparer.Ordinal))
        {
            // Every generated model: a bidirectional one is a sequence model only (no Step loop for it).
            Type? trainable = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISequenceTrainableModel<,>));
            if (trainable is null)
            {
                continue;
            }

            Type[] arguments = trainable.GetGenericArguments();
            count += (int)dump.MakeGenericMethod(type, arguments[0], arguments[1]).Invoke(null, [directory])!;
        }

        return count;
    }

    private static int DumpModel<TModel, TState, TTrace>(string directory)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var model = new TModel();
        var writer = new QuantityWriter(directory, typeof(TModel).Name);
        var random = new Random(Seed);
        model.Initialize(InitializationScheme.PyTorch, Seed);
        Run<TModel, TState, TTrace>(model, writer, "seeded", RandomFloats(random, Steps * model.InputSize, 2f), random);
        model.Initialize(InitializationScheme.Keras, Seed);
        Run<TModel, TState, TTrace>(model, writer, "keras-init", RandomFloats(random, Steps * model.InputSize, 2f), random);
        if (FixtureRuns.TryGetValue(typeof(TModel), out (string Fixture, string[] Modules) fixture))
        {
            string path = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture.Fixture);
            SafeTensorsFile io = SafeTensorsFile.Read(path + ".io.safetensors");
            string[] modules = fixture.Modules.Length > 0 ? fixture.Modules : PyTorchModuleNames.ModuleList(model.LayerCount);
            model.LoadPyTorch(SafeTensorsFile.Read(path + ".weights.safetensors"), modules);
            Run<TModel, TState, TTrace>(model, writer, "fixture", io.ReadSingles("input"), random);
        }

        return writer.Count;
    }

    /// <summary>The committed PyTorch fixtures (tests/FixedRnn.Tests/Fixtures) and the models that load them.</summary>
    private static readonly Dictionary<Type, (string Fixture, string[] Modules)> FixtureRuns = new()
    {
        [typeof(Tests.Lstm8To32)] = ("lstm_8_32", []),
        [typeof(Tests.LstmCell3To13)] = ("lstm_cell_3_13", []),
        [typeof(Tests.Gru5To37)] = ("gru_5_37", []),
        [typeof(Tests.GruCell1To1)] = ("gru_cell_1_1", []),
        [typeof(Tests.RnnTanh4To50)] = ("rnn_tanh_4_50", []),
        [typeof(Tests.RnnReluCell4To3)] = ("rnn_relu_cell_4_3", []),
        [typeof(Tests.StackedGruDense)] = ("stack_gru_dense", []),
        [typeof(Tests.MixedStack)] = ("stack_mixed", []),
        [typeof(Tests.ReluDenseHead)] = ("dense_relu_head", []),
        [typeof(Tests.Lstm1To128)] = ("lstm_1_128", []),
        [typeof(Tests.Gru16To256)] = ("gru_16_256", []),
        [typeof(Tests.ResetBeforeGru5To37)] = ("gru_rb_5_37", []),
        [typeof(Tests.ResetBeforeGru8To130)] = ("gru_rb_8_130", []),
        [typeof(Tests.ResetBeforeGruDense)] = ("gru_rb_stack_dense", []),
        [typeof(Tests.NoBiasStack)] = ("nobias_stack", []),
        [typeof(Tests.TwoLayerLstmWithHead)] = ("lstm_multi", ["lstm", "lstm", "fc"]),
        [typeof(Tests.ProjectedLstm8To40)] = ("lstm_proj_8_40_12", []),
        [typeof(Tests.ProjectedLstmStackDense)] = ("lstm_proj_stack_dense", []),
        [typeof(Tests.BidirectionalLstm8To32)] = ("bilstm_8_32", []),
        [typeof(Tests.BidirectionalGruStackDense)] = ("bigru_stack_dense", []),
        [typeof(Tests.BidirectionalRnn4To20)] = ("birnn_4_20", []),
    };

    private static void Run<TModel, TState, TTrace>(TModel model, QuantityWriter writer, string run, float[] inputs, Random random)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        int steps = inputs.Length / model.InputSize;
        writer.Write($"{run}.parameters", TModel.ToPyTorch(model.Parameters, PyTorchModuleNames.ModuleList(model.LayerCount)).ToArray());

        var state = default(TState);
        if (model is IRecurrentModel<TState> streaming)
        {
            var stepOutputs = new float[steps * model.OutputSize];
            for (int t = 0; t < steps; t++)
            {
                streaming.Step(inputs.AsSpan(t * model.InputSize, model.InputSize), ref state, stepOutputs.AsSpan(t * model.OutputSize, model.OutputSize));
            }

            writer.Write($"{run}.step.outputs", stepOutputs);
            writer.Write($"{run}.step.state", StateFloats(ref state));
        }

        var forwardOutputs = new float[steps * model.OutputSize];
        state = default;
        model.Forward(inputs, ref state, forwardOutputs);
        writer.Write($"{run}.forward.outputs", forwardOutputs);
        writer.Write($"{run}.forward.state", StateFloats(ref state));

        TTrace trace = model.CreateTrace(steps);
        var recorded = new float[forwardOutputs.Length];
        state = default;
        model.Forward(inputs, ref state, recorded, trace);
        writer.Write($"{run}.record.outputs", recorded);

        float[] outputGradients = RandomFloats(random, recorded.Length, 1f);
        var parameterGradients = new float[model.Parameters.Length];
        var inputGradients = new float[inputs.Length];
        TState stateGradient = default;
        Span<float> seed = StateSpan(ref stateGradient);
        float[] initial = RandomFloats(random, seed.Length, 0.5f);
        initial.CopyTo(seed);
        model.Backward(trace, outputGradients, parameterGradients, inputGradients, ref stateGradient);
        writer.Write($"{run}.backward.parameters", TModel.ToPyTorch(parameterGradients, PyTorchModuleNames.ModuleList(model.LayerCount)).ToArray());
        writer.Write($"{run}.backward.inputs", inputGradients);
        writer.Write($"{run}.backward.state", StateFloats(ref stateGradient));
    }

    private static float[] RandomFloats(Random random, int count, float bound)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
        }

        return values;
    }

    private static Span<float> StateSpan<TState>(ref TState state)
        where TState : struct
        => MemoryMarshal.CreateSpan(ref Unsafe.As<TState, float>(ref state), Unsafe.SizeOf<TState>() / sizeof(float));

    private static float[] StateFloats<TState>(ref TState state)
        where TState : struct
        => StateSpan(ref state).ToArray();
}

/// <summary>Writes one model's quantities as raw little-endian floats (or bytes), one file each.</summary>
internal sealed class QuantityWriter(string directory, string model)
{
    public int Count { get; private set; }

    public void Write(string quantity, float[] values) => Write(quantity, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), "f32");

    public void Write(string quantity, byte[] safetensors) => Write(quantity, safetensors, "st");

    private void Write(string quantity, byte[] bytes, string extension)
    {
        File.WriteAllBytes(System.IO.Path.Combine(directory, $"{model}.{quantity}.{extension}"), bytes);
        Count++;
    }
}

/// <summary>Compares two dumps file by file: bitwise equality, and the largest distance in ulps.</summary>
internal static class Comparison
{
    public static int Run(string left, string right)
    {
        string[] names = Directory.GetFiles(left).Select(System.IO.Path.GetFileName).Union(Directory.GetFiles(right).Select(System.IO.Path.GetFileName)).Order(StringComparer.Ordinal).ToArray()!;
        int differing = 0;
        long worstUlps = 0;
        foreach (string name in names)
        {
            string a = System.IO.Path.Combine(left, name);
            string b = System.IO.Path.Combine(right, name);
            if (!File.Exists(a) || !File.Exists(b))
            {
                Console.WriteLine($"{name}: only in {(File.Exists(a) ? left : right)}");
                differing++;
                continue;
            }

            (float[] x, float[] y) = (Floats(a), Floats(b));
            if (x.Length != y.Length)
            {
                Console.WriteLine($"{name}: {x.Length} vs {y.Length} floats");
                differing++;
                continue;
            }

            long ulps = 0;
            for (int i = 0; i < x.Length; i++)
            {
                ulps = Math.Max(ulps, Ulps(x[i], y[i]));
            }

            if (ulps != 0)
            {
                differing++;
                worstUlps = Math.Max(worstUlps, ulps);
                Console.WriteLine($"{name}: differs, largest {ulps} ulps");
            }
        }

        Console.WriteLine($"{names.Length} quantities compared: {names.Length - differing} bitwise identical, {differing} differ (largest {worstUlps} ulps).");
        return differing == 0 ? 0 : 1;
    }

    /// <summary>The floats of a dump file: raw floats, or every tensor of a safetensors file in name order.</summary>
    private static float[] Floats(string path)
    {
        if (path.EndsWith(".st", StringComparison.Ordinal))
        {
            SafeTensorsFile file = SafeTensorsFile.Read(path);
            return file.Names.Order(StringComparer.Ordinal).SelectMany(file.ReadSingles).ToArray();
        }

        return MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
    }

    /// <summary>Distance in units in the last place; NaNs of any payload are equal to each other.</summary>
    private static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b))
        {
            return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        }

        return Math.Abs(Ordered(a) - Ordered(b));
    }

    private static long Ordered(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        return bits < 0 ? (long)int.MinValue - bits : bits;
    }
}
