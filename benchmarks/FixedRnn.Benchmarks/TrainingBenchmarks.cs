using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks;

/// <summary>
/// Forward over a 100-step sequence, reported per step (OperationsPerInvoke = 100), for comparison
/// with <see cref="StepBenchmarks"/>' single Step.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks
{
    private FixedKernel _kernel = null!;

    [ParamsAllValues]
    public CellKind Kind { get; set; }

    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "8x32";

    public static IEnumerable<string> Sizes() => ModelCatalog.SizeNames();

    [GlobalSetup]
    public void Setup()
    {
        (int input, int hidden) = ModelCatalog.ParseSize(Size);
        _kernel = ModelCatalog.Create(Kind, input, hidden);
    }

    [Benchmark(OperationsPerInvoke = FixedKernel.ForwardSteps)]
    public void ForwardPerStep() => _kernel.Forward();
}

/// <summary>
/// One training step per invocation: a recording Forward over a 64-step window from the zero state,
/// MSE, Backward (BPTT through the window), and an Adam update with learning rate 0, so the parameters,
/// and therefore the work, are identical in every iteration.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private FixedKernel _kernel = null!;

    [ParamsAllValues]
    public CellKind Kind { get; set; }

    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "8x32";

    public static IEnumerable<string> Sizes() => ModelCatalog.SizeNames();

    [GlobalSetup]
    public void Setup()
    {
        (int input, int hidden) = ModelCatalog.ParseSize(Size);
        _kernel = ModelCatalog.Create(Kind, input, hidden);
        _kernel.TrainWindow(); // builds the trainer outside the measurement
    }

    [Benchmark]
    public float TrainingWindow64() => _kernel.TrainWindow();
}
