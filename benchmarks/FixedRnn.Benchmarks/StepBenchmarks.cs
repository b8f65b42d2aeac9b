using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Baselines;
using FixedRnn.Benchmarks.Kernels;
using FixedRnn.Benchmarks.Models;

namespace FixedRnn.Benchmarks;

/// <summary>
/// One Step of every declared model against the two runtime-size baselines on the same weights and
/// input: plain scalar loops (the ratio baseline) and TensorPrimitives.Dot per gate row. The global
/// setup checks that all three agree within 1e-4 before anything is timed.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private FixedKernel _kernel = null!;
    private NaiveCell _naive = null!;
    private TensorPrimitivesCell _tensorPrimitives = null!;
    private float[] _input = null!;

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
        Verification.Check(_kernel, out _naive, out _tensorPrimitives);
        _input = _kernel.StepInput.ToArray();
    }

    [Benchmark(Baseline = true)]
    public void NaiveScalar() => _naive.Step(_input);

    [Benchmark]
    public void TensorPrimitivesDot() => _tensorPrimitives.Step(_input);

    [Benchmark]
    public void FixedRnnStep() => _kernel.Step();
}
