using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Interop;
using FixedRnn.Training;

namespace FixedRnn.Benchmarks.Kernels;

/// <summary>
/// One declared model with everything a benchmark needs preallocated: a step input, a 100-step
/// sequence, a 64-step training window with targets, and a trainer. The benchmarks call it through
/// this abstract class so that one benchmark class can take the model as a parameter; the generic
/// subclass calls the generated members directly.
/// </summary>
public abstract class FixedKernel
{
    /// <summary>Steps of the Forward benchmark.</summary>
    public const int ForwardSteps = 100;

    /// <summary>Steps of the training window.</summary>
    public const int TrainingWindow = 64;

    protected FixedKernel(CellKind kind, int input, int hidden)
    {
        Kind = kind;
        InputSize = input;
        HiddenSize = hidden;
    }

    public CellKind Kind { get; }

    public int InputSize { get; }

    public int HiddenSize { get; }

    /// <summary>Floats in the packed parameter buffer (padding included): what one step streams through.</summary>
    public abstract int ParameterCount { get; }

    /// <summary>Where the packed parameters start relative to a 64-byte cache line (0: they live in a pinned, aligned buffer).</summary>
    public abstract int ParameterAlignment { get; }

    /// <summary>The input <see cref="Step"/> reads.</summary>
    public abstract Span<float> StepInput { get; }

    /// <summary>The output <see cref="Step"/> wrote last.</summary>
    public abstract ReadOnlySpan<float> StepOutput { get; }

    /// <summary>One Step on the carried benchmark state.</summary>
    public abstract void Step();

    /// <summary>Forward over <see cref="ForwardSteps"/> steps on the carried sequence state.</summary>
    public abstract void Forward();

    /// <summary>
    /// One training step over a <see cref="TrainingWindow"/>-step window from the zero state: recording
    /// forward, MSE, backward, Adam with learning rate 0 (so the parameters, and the work, never change).
    /// </summary>
    public abstract float TrainWindow();

    /// <summary>Resets the carried states.</summary>
    public abstract void ResetState();

    /// <summary>Runs <paramref name="inputs"/> step by step from the zero state, writing every step's output.</summary>
    public abstract void RunSteps(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>Runs <paramref name="inputs"/> through Forward from the zero state.</summary>
    public abstract void RunForward(ReadOnlySpan<float> inputs, Span<float> outputs);

    /// <summary>The parameters as PyTorch names and lays them out (module <c>layers.0</c>).</summary>
    public abstract SafeTensorsFile ExportPyTorch();

    /// <summary>
    /// <paramref name="streams"/> streams of this model stepped together once per <see cref="StreamBatch.Tick"/>: by the
    /// batched <c>Step</c> itself with one worker, by a <see cref="ParallelBatch{TModel, TState}"/> with more.
    /// </summary>
    public abstract StreamBatch CreateStreams(int streams, int workers);

    /// <summary>Fills <paramref name="values"/> with seeded uniform values in [-1, 1).</summary>
    public static void FillUniform(Span<float> values, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }
    }
}

/// <summary>A <see cref="FixedKernel"/> over one generated model type.</summary>
public sealed class FixedKernel<TModel, TState, TTrace> : FixedKernel
    where TModel : class, ITrainableModel<TState, TTrace>, new()
    where TState : unmanaged
    where TTrace : class
{
    private static readonly LossFunction Loss = Losses.MeanSquaredError;

    private readonly TModel _model;
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly float[] _sequence;
    private readonly float[] _sequenceOutputs;
    private readonly float[] _windowInputs;
    private readonly float[] _windowTargets;
    private SequenceTrainer<TModel, TState, TTrace>? _trainer;
    private TState _state;
    private TState _sequenceState;

    public FixedKernel(CellKind kind, int seed)
        : this(kind, seed, new TModel())
    {
    }

    private FixedKernel(CellKind kind, int seed, TModel model)
        : base(kind, model.InputSize, model.OutputSize)
    {
        _model = model;
        _model.Initialize(InitializationScheme.PyTorch, seed);
        _input = new float[InputSize];
        _output = new float[HiddenSize];
        _sequence = new float[ForwardSteps * InputSize];
        _sequenceOutputs = new float[ForwardSteps * HiddenSize];
        _windowInputs = new float[TrainingWindow * InputSize];
        _windowTargets = new float[TrainingWindow * HiddenSize];
        FillUniform(_input, seed + 1);
        FillUniform(_sequence, seed + 2);
        FillUniform(_windowInputs, seed + 3);
        FillUniform(_windowTargets, seed + 4);
        for (int i = 0; i < _windowTargets.Length; i++)
        {
            _windowTargets[i] *= 0.5f;
        }
    }

    public override int ParameterCount => _model.Parameters.Length;

    public override unsafe int ParameterAlignment => (int)((nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(_model.Parameters)) & 63);

    public override Span<float> StepInput => _input;

    public override ReadOnlySpan<float> StepOutput => _output;

    public override void Step() => _model.Step(_input, ref _state, _output);

    public override void Forward() => _model.Forward(_sequence, ref _sequenceState, _sequenceOutputs);

    public override float TrainWindow()
    {
        // Built on first use: the Step and Forward benchmarks never pay for the trace and optimizer.
        _trainer ??= new SequenceTrainer<TModel, TState, TTrace>(_model, new Adam(_model.Parameters.Length, learningRate: 0f), TrainingWindow);
        TState state = default;
        return _trainer.TrainWindow(_windowInputs, _windowTargets, ref state, Loss);
    }

    public override void ResetState()
    {
        _state = default;
        _sequenceState = default;
    }

    public override void RunSteps(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        TState state = default;
        int steps = inputs.Length / InputSize;
        for (int t = 0; t < steps; t++)
        {
            _model.Step(inputs.Slice(t * InputSize, InputSize), ref state, outputs.Slice(t * HiddenSize, HiddenSize));
        }
    }

    public override void RunForward(ReadOnlySpan<float> inputs, Span<float> outputs)
    {
        TState state = default;
        _model.Forward(inputs, ref state, outputs);
    }

    public override SafeTensorsFile ExportPyTorch() => SafeTensorsFile.Parse(TModel.ToPyTorch(_model.Parameters, "layers.0").ToArray());

    public override StreamBatch CreateStreams(int streams, int workers) => new Streams(_model, streams, workers);

    private sealed class Streams : StreamBatch
    {
        private readonly TModel _model;
        private readonly ParallelBatch<TModel, TState>? _parallel;
        private readonly TState[] _states;
        private readonly float[] _inputs;
        private readonly float[] _outputs;

        public Streams(TModel model, int streams, int workers)
        {
            _model = model;
            _parallel = workers > 1 ? new ParallelBatch<TModel, TState>(model, workers) : null;
            _states = new TState[streams];
            _inputs = new float[streams * model.InputSize];
            _outputs = new float[streams * model.OutputSize];
            FillUniform(_inputs, streams);
        }

        public override void Tick()
        {
            if (_parallel is null)
            {
                _model.Step(_inputs, _states, _outputs);
            }
            else
            {
                _parallel.Step(_inputs, _states, _outputs);
            }
        }

        public override void Dispose() => _parallel?.Dispose();
    }
}

/// <summary>A batch of streams of one model, advanced one step per <see cref="Tick"/>.</summary>
public abstract class StreamBatch : IDisposable
{
    /// <summary>Steps every stream once.</summary>
    public abstract void Tick();

    public abstract void Dispose();
}
