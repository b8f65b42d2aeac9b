using BenchmarkDotNet.Attributes;
using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks;

/// <summary>
/// Forward over a 100-step sequence, reported per step (OperationsPerInvoke = 100), for comparison
/// with <see cref="StepBenchmarks"/>' single Step.
/// </summary>
[MemoryDiagnoser]
public class ForwardBenchmarks : ModelBenchmark
{
    [Benchmark(OperationsPerInvoke = FixedKernel.ForwardSteps)]
    public void ForwardPerStep() => Kernel.Forward();
}

/// <summary>
/// One training step per invocation: a recording Forward over a 64-step window from the zero state,
/// MSE, Backward (BPTT through the window), and an Adam update with learning rate 0, so the parameters,
/// and therefore the work, are identical in every iteration.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks : ModelBenchmark
{
    // Runs as the base's [GlobalSetup]: BenchmarkDotNet allows one per class and calls it virtually.
    public override void Setup()
    {
        base.Setup();
        Kernel.TrainWindow(); // builds the trainer outside the measurement
    }

    [Benchmark]
    public float TrainingWindow64() => Kernel.TrainWindow();
}
