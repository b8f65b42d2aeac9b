using BenchmarkDotNet.Attributes;
using FixedRnn;

namespace FixedRnn.Benchmarks;

/// <summary>One Step of an LSTM 8 → 32: the foundation's headline kernel.</summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private readonly Lstm8To32 _model = new();
    private readonly float[] _input = new float[Lstm8To32.InputSize];
    private readonly float[] _output = new float[Lstm8To32.OutputSize];
    private Lstm8To32.State _state;

    [GlobalSetup]
    public void Setup()
    {
        var random = new System.Random(1);
        for (int i = 0; i < _model.Parameters.Length; i++)
        {
            _model.Parameters[i] = (float)((random.NextDouble() - 0.5) * 0.3);
        }

        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)(random.NextDouble() - 0.5);
        }
    }

    [Benchmark]
    public void LstmStep() => _model.Step(_input, ref _state, _output);
}

[RecurrentModel(inputSize: 8)]
[Lstm(32)]
public partial class Lstm8To32;
