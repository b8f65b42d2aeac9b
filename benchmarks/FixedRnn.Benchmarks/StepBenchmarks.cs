using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Baselines;

namespace FixedRnn.Benchmarks;

/// <summary>
/// One Step of every declared model against the two runtime-size baselines on the same weights and
/// input: plain scalar loops (the ratio baseline) and TensorPrimitives.Dot per gate row. The global
/// setup checks that all three agree within 1e-4 before anything is timed.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks : ModelBenchmark
{
    private NaiveCell _naive = null!;
    private TensorPrimitivesCell _tensorPrimitives = null!;
    private float[] _input = null!;

    // Runs as the base's [GlobalSetup]: BenchmarkDotNet allows one per class and calls it virtually.
    public override void Setup()
    {
        base.Setup();
        Verification.Check(Kernel, out _naive, out _tensorPrimitives);
        _input = Kernel.StepInput.ToArray();
    }

    [Benchmark(Baseline = true)]
    public void NaiveScalar() => _naive.Step(_input);

    [Benchmark]
    public void TensorPrimitivesDot() => _tensorPrimitives.Step(_input);

    [Benchmark]
    public void FixedRnnStep() => Kernel.Step();
}
