using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks;

/// <summary>
/// The LSTM 32x128 with projection 64 (<c>[Lstm(128, ProjectionSize = 64)]</c>, PyTorch's <c>proj_size=64</c>) against
/// the same LSTM without a projection, in one run: Step with the state carried, and Forward over
/// <see cref="FixedKernel.ForwardSteps"/> steps reported per step. Its PyTorch peer is
/// <c>benchmarks/peers/pytorch_peers.py --projection</c>.
/// </summary>
[MemoryDiagnoser]
public class ProjectionBenchmarks
{
    private FixedKernel _kernel = null!;

    /// <summary><c>lstm</c>: <c>[Lstm(128)]</c>; <c>lstm-proj64</c>: <c>[Lstm(128, ProjectionSize = 64)]</c>; both on 32 inputs.</summary>
    [Params("lstm", "lstm-proj64")]
    public string Model { get; set; } = "lstm-proj64";

    [GlobalSetup]
    public void Setup()
        => _kernel = Model == "lstm"
            ? ModelCatalog.Create(CellKind.Lstm, 32, 128)
            : new FixedKernel<Lstm_32_128_Proj64, Lstm_32_128_Proj64.State, Lstm_32_128_Proj64.Trace>(CellKind.Lstm, ModelCatalog.Seed);

    [Benchmark]
    public void Step() => _kernel.Step();

    [Benchmark(OperationsPerInvoke = FixedKernel.ForwardSteps)]
    public void ForwardPerStep() => _kernel.Forward();
}
