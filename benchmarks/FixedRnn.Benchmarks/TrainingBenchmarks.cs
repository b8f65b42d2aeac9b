using BenchmarkDotNet.Attributes;
using FixedRnn.Training;

namespace FixedRnn.Benchmarks;

/// <summary>
/// A training step (recording forward, MSE, backward, Adam) against a plain forward pass over the same
/// window of 64 steps, for an LSTM 8 → 32 with a Dense(1) head.
/// </summary>
[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private const int Window = 64;
    private readonly LstmWithHead _model = new();
    private readonly float[] _inputs = new float[Window * LstmWithHead.InputSize];
    private readonly float[] _targets = new float[Window * LstmWithHead.OutputSize];
    private readonly float[] _outputs = new float[Window * LstmWithHead.OutputSize];
    private SequenceTrainer<LstmWithHead, LstmWithHead.State, LstmWithHead.Trace> _trainer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _model.Initialize(InitializationScheme.PyTorch, seed: 1);
        var random = new System.Random(2);
        for (int i = 0; i < _inputs.Length; i++)
        {
            _inputs[i] = (float)(random.NextDouble() - 0.5);
        }

        for (int i = 0; i < _targets.Length; i++)
        {
            _targets[i] = (float)(random.NextDouble() - 0.5);
        }

        // A learning rate of zero keeps the parameters, and so the work, identical across iterations.
        _trainer = new SequenceTrainer<LstmWithHead, LstmWithHead.State, LstmWithHead.Trace>(_model, new Adam(LstmWithHead.ParameterCount, learningRate: 0f), Window);
    }

    [Benchmark(Baseline = true)]
    public void Forward()
    {
        var state = default(LstmWithHead.State);
        _model.Forward(_inputs, ref state, _outputs);
    }

    [Benchmark]
    public float TrainingStep()
    {
        var state = default(LstmWithHead.State);
        return _trainer.TrainWindow(_inputs, _targets, ref state, Losses.MeanSquaredError);
    }
}

[RecurrentModel(inputSize: 8)]
[Lstm(32)]
[Dense(1)]
public partial class LstmWithHead;
