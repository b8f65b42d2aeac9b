using System;
using System.Collections.Generic;
using Microsoft.ML.OnnxRuntime;

namespace FixedRnn.Benchmarks.Peers;

/// <summary>
/// One ONNX Runtime session (one intra-op thread) running a one-step LSTM or GRU graph at batch B: x <c>[1, B, In]</c>,
/// h0 (and c0) <c>[1, B, H]</c> in, h (and c) out. The state ping-pongs between two preallocated sets of OrtValues, so
/// a tick is one <c>Run</c> with nothing to copy.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly List<OrtValue> _owned = [];
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[][] _inputs = new OrtValue[2][];
    private readonly OrtValue[][] _outputs = new OrtValue[2][];
    private readonly float[][] _hidden = new float[2][];
    private int _current;

    public OrtRunner(string path, bool lstm, int input, int hidden, int batch)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(path, options);
        Inputs = new float[batch * input];
        OrtValue x = Own(Inputs, [1, batch, input]);
        _hidden[0] = new float[batch * hidden];
        _hidden[1] = new float[batch * hidden];
        OrtValue[] h = [Own(_hidden[0], [1, batch, hidden]), Own(_hidden[1], [1, batch, hidden])];
        if (lstm)
        {
            OrtValue[] c = [Own(new float[batch * hidden], [1, batch, hidden]), Own(new float[batch * hidden], [1, batch, hidden])];
            _inputNames = ["x", "h0", "c0"];
            _outputNames = ["h", "c"];
            for (int side = 0; side < 2; side++)
            {
                _inputs[side] = [x, h[side], c[side]];
                _outputs[side] = [h[1 - side], c[1 - side]];
            }
        }
        else
        {
            _inputNames = ["x", "h0"];
            _outputNames = ["h"];
            for (int side = 0; side < 2; side++)
            {
                _inputs[side] = [x, h[side]];
                _outputs[side] = [h[1 - side]];
            }
        }
    }

    /// <summary>This tick's inputs, <c>[B, In]</c>.</summary>
    public float[] Inputs { get; }

    /// <summary>h after the last tick, <c>[B, H]</c>.</summary>
    public ReadOnlySpan<float> Hidden => _hidden[_current];

    public void Tick()
    {
        _session.Run(_runOptions, _inputNames, _inputs[_current], _outputNames, _outputs[_current]);
        _current = 1 - _current;
    }

    public void Dispose()
    {
        foreach (OrtValue value in _owned)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private OrtValue Own(float[] data, long[] shape)
    {
        OrtValue value = OrtValue.CreateTensorValueFromMemory(data, shape);
        _owned.Add(value);
        return value;
    }
}
