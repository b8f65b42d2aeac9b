using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using FixedRnn.Numerics;

namespace FixedRnn.Benchmarks;

/// <summary>
/// What the kernels' activations cost, per eight lanes (one block), measured as throughput: 64 independent
/// inputs per invocation, evaluated as eight Vector256 values (the path without AVX-512) or as four Vector512
/// values (the paired path, two blocks per call). An LSTM block needs three sigmoids and two tanh per step, a
/// GRU block two and one, an RNN block one tanh: the summary sets these against the FMA work of a step.
/// </summary>
public class ActivationBenchmarks
{
    /// <summary>Eight-lane blocks per invocation.</summary>
    public const int Blocks = 8;

    private readonly float[] _inputs = new float[Blocks * 8];

    [GlobalSetup]
    public void Setup()
    {
        // Pre-activations in [-4.8, 4.65]: both branches of Tanh (below and above 0.625 in magnitude).
        for (int i = 0; i < _inputs.Length; i++)
        {
            _inputs[i] = (i - 32) * 0.15f;
        }
    }

    [Benchmark(OperationsPerInvoke = Blocks)]
    public float Sigmoid256()
    {
        Vector256<float> sum = Vector256<float>.Zero;
        for (int block = 0; block < Blocks; block++)
        {
            sum += Activations.Sigmoid(Vector256.Create(_inputs, block * 8));
        }

        return Vector256.Sum(sum);
    }

    [Benchmark(OperationsPerInvoke = Blocks)]
    public float Tanh256()
    {
        Vector256<float> sum = Vector256<float>.Zero;
        for (int block = 0; block < Blocks; block++)
        {
            sum += Activations.Tanh(Vector256.Create(_inputs, block * 8));
        }

        return Vector256.Sum(sum);
    }

    [Benchmark(OperationsPerInvoke = Blocks)]
    public float Sigmoid512Pairs()
    {
        Vector512<float> sum = Vector512<float>.Zero;
        for (int pair = 0; pair < Blocks / 2; pair++)
        {
            sum += Activations.Sigmoid(Vector512.Create(_inputs, pair * 16));
        }

        return Vector512.Sum(sum);
    }

    [Benchmark(OperationsPerInvoke = Blocks)]
    public float Tanh512Pairs()
    {
        Vector512<float> sum = Vector512<float>.Zero;
        for (int pair = 0; pair < Blocks / 2; pair++)
        {
            sum += Activations.Tanh(Vector512.Create(_inputs, pair * 16));
        }

        return Vector512.Sum(sum);
    }
}
