using System;

namespace FixedRnn.Training;

/// <summary>
/// <see cref="IBatchKernels"/> over the model's batched training entry points: the recording <c>Forward</c> of B
/// sequences, each into a trace of its own, and the <c>Backward</c> of the whole batch, which sends each sequence
/// back through time and then forms every weight gradient over all B × T steps at once; validation through the
/// batched inference <c>Forward</c>.
/// </summary>
/// <remarks>
/// One trace per batch slot, allocated here, because the batch's loss (and so each sequence's output gradient) is
/// only known once every sequence of the batch has run. Nothing is allocated after construction.
/// </remarks>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="TState">Its <c>State</c>.</typeparam>
/// <typeparam name="TTrace">Its <c>Trace</c>.</typeparam>
internal sealed class ModelBatchKernels<TModel, TState, TTrace> : IBatchKernels
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
    public ModelBatchKernels(TModel model, int sequenceLength, int maxBatchSize)
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
        Span<TState> states = ZeroStates(batchSize);
        _model.Forward(inputs.Slice(0, batchSize * _inputLength), states, outputs.Slice(0, batchSize * _outputLength), _traces.AsSpan(0, batchSize));
        _recorded = batchSize;
    }

    /// <inheritdoc/>
    public void Backward(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients)
        => _model.Backward(_traces.AsSpan(0, _recorded), outputGradients.Slice(0, _recorded * _outputLength), parameterGradients);

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs)
    {
        // The batched Forward: stream-tiled where the model has such kernels, each sequence bitwise its own Forward.
        _model.Forward(inputs.Slice(0, batchSize * _inputLength), ZeroStates(batchSize), outputs.Slice(0, batchSize * _outputLength));
    }

    private Span<TState> ZeroStates(int batchSize)
    {
        Span<TState> states = _states.AsSpan(0, batchSize);
        states.Clear();
        return states;
    }
}
