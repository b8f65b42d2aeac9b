using System;
using FixedRnn.Interop;

namespace FixedRnn.Benchmarks.Peers;

/// <summary>B streams of one model, stepped together by one call per tick.</summary>
internal interface IBatchedRunner : IDisposable
{
    /// <summary>This tick's inputs, <c>[B, InputSize]</c>.</summary>
    float[] Inputs { get; }

    /// <summary>The last tick's outputs, <c>[B, OutputSize]</c>.</summary>
    float[] Outputs { get; }

    void Tick();
}

/// <summary>FixedRnn's batched <c>Step(inputs, states, outputs)</c> over B states of <typeparamref name="TModel"/>.</summary>
internal sealed class BatchedRunner<TModel, TState> : IBatchedRunner
    where TModel : IRecurrentModel<TState>, new()
    where TState : struct
{
    private readonly TModel _model = new();
    private readonly TState[] _states;

    public BatchedRunner(int streams, string weights)
    {
        _model.LoadPyTorch(PyTorchFile.Read(weights), "layers.0");
        _states = new TState[streams];
        Inputs = new float[streams * _model.InputSize];
        Outputs = new float[streams * _model.OutputSize];
    }

    public float[] Inputs { get; }

    public float[] Outputs { get; }

    public void Tick() => _model.Step(Inputs, _states, Outputs);

    public void Dispose()
    {
    }
}
