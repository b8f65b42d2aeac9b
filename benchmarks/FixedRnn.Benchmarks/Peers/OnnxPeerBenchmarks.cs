using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace FixedRnn.Benchmarks.Peers;

/// <summary>
/// ONNX Runtime as a BenchmarkDotNet peer at batch 1: one ORT <c>Run</c> (one intra-op thread, preallocated OrtValues)
/// against one FixedRnn <c>Step</c> of the same model, from the files <c>Peers/OnnxModels/make_onnx_peers.py</c>
/// writes. The setup checks that both compute the same h within 1e-4 before anything is timed. Where the files
/// have not been generated, <see cref="Program"/> leaves this class out of the run and says so.
/// </summary>
[MemoryDiagnoser]
public class OnnxPeerBenchmarks
{
    private IBatchedRunner _fixedRnn = null!;
    private OrtRunner _ort = null!;

    /// <summary>The suite's 14 LSTM and GRU sizes, <c>{kind}_{input}_{hidden}</c> as the script names the files.</summary>
    [Params(
        "lstm_1_16", "lstm_1_32", "lstm_8_32", "lstm_1_64", "lstm_16_64", "lstm_32_128", "lstm_64_256",
        "gru_1_16", "gru_1_32", "gru_8_32", "gru_1_64", "gru_16_64", "gru_32_128", "gru_64_256")]
    public string Model { get; set; } = "lstm_8_32";

    /// <summary>Whether <c>make_onnx_peers.py</c> has written the peer models.</summary>
    public static bool ModelsPresent => File.Exists(Path.Combine(OnnxPeerCommand.ModelDirectory(), "lstm_8_32.onnx"));

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Model.Split('_');
        (string kind, int input, int hidden) = (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
        string stem = Path.Combine(OnnxPeerCommand.ModelDirectory(), Model);
        _fixedRnn = OnnxPeerCommand.CreateFixed(kind, input, hidden, batch: 1, stem + ".pt");
        _ort = new OrtRunner(stem + ".onnx", kind == "lstm", input, hidden, batch: 1);
        float difference = OnnxPeerCommand.Verify(_fixedRnn, _ort, input);
        if (!(difference <= 1e-4f))
        {
            throw new InvalidOperationException($"{Model}: FixedRnn and ONNX Runtime disagree by {difference}; not timing.");
        }

        // Steady inputs from here on: both sides step the same values every tick.
        Array.Fill(_fixedRnn.Inputs, 0.25f);
        Array.Fill(_ort.Inputs, 0.25f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fixedRnn.Dispose();
        _ort.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OnnxRuntime() => _ort.Tick();

    [Benchmark]
    public void FixedRnnStep() => _fixedRnn.Tick();

    /// <summary>The benchmark classes of the suite, without this one when its models are absent.</summary>
    public static Type[] SuiteTypes(Action<string> report)
    {
        Type[] types = typeof(OnnxPeerBenchmarks).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && type.GetMethods().Any(method => method.IsDefined(typeof(BenchmarkAttribute), inherit: false)))
            .ToArray();
        if (ModelsPresent)
        {
            return types;
        }

        report($"{nameof(OnnxPeerBenchmarks)} left out: no peer models in {OnnxPeerCommand.ModelDirectory()} (run /usr/bin/python3 benchmarks/FixedRnn.Benchmarks/Peers/OnnxModels/make_onnx_peers.py to include it).");
        return types.Where(type => type != typeof(OnnxPeerBenchmarks)).ToArray();
    }
}
