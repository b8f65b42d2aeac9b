using System;

namespace FixedRnn.Training;

/// <summary>
/// <see cref="IBatchKernels"/> over the single-stream API every generated model has: per sequence, a recording
/// <c>Forward</c> into a trace of its own, and later its <c>Backward</c>, which adds into the shared gradient buffer;
/// validation through the batched <c>Forward</c> over all the batch's sequences at once.
/// </summary>
/// <remarks>
/// One trace per batch slot, allocated here, because the batch's loss (and so each sequence's output gradient) is
/// only known once every sequence of the batch has run. Nothing is allocated after construction.
/// </remarks>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="TState">Its <c>State</c>.</typeparam>
/// <typeparam name="TTrace">Its <c>Trace</c>.</typeparam>
internal sealed class PerSequenceBatchKernels<TModel, TState, TTrace> : IBatchKernels
    where TModel : ISequenceTrainableModel<TState, TTrace>
    where TState : struct
    where TTrace : class
{
    private readonly TModel _model;
    private readonly TTrace[] _traces;
    private readonly TState[] _states;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private int _recorded;

    /// <summary>Allocates <paramref name="maxBatchSize"/> traces of <paramref name="sequenceLength"/> steps.</summary>
    public PerSequenceBatchKernels(TModel model, int sequenceLength, int maxBatchSize)
    {
        _model = model;
        _traces = new TTrace[maxBatchSize];
        _states = new TState[maxBatchSize];
        for (int b = 0; b < maxBatchSize; b++)
        {
            _traces[b] = model.CreateTrace(sequenceLength);
        }

        _inputLength = sequenceLength * model.InputSize;
        _outputLength = sequenceLength * model.OutputSize;
    }

    /// <inheritdoc/>
    public int MaxBatchSize => _traces.Length;

    /// <inheritdoc/>
    public void ForwardRecording(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs)
    {
        _recorded = 0;
        for (int b = 0; b < batchSize; b++)
        {
            TState state = default;
            _model.Forward(inputs.Slice(b * _inputLength, _inputLength), ref state, outputs.Slice(b * _outputLength, _outputLength), _traces[b]);
        }

        _recorded = batchSize;
    }

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients)
    {
        for (int b = 0; b < _recorded; b++)
        {
            TState stateGradient = default;
            _model.Backward(_traces[b], outputGradients.Slice(b * _outputLength, _outputLength), parameterGradients, Span<float>.Empty, ref stateGradient);
        }
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs)
    {
        // The batched Forward: stream-tiled where the model has such kernels, each sequence bitwise its own Forward.
        Span<TState> states = _states.AsSpan(0, batchSize);
        states.Clear();
        _model.Forward(inputs.Slice(0, batchSize * _inputLength), states, outputs.Slice(0, batchSize * _outputLength));
    }
}
