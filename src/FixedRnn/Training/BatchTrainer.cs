using System;
using System.Collections.Generic;

using FixedRnn.Numerics;

namespace FixedRnn.Training;

/// <summary>
/// Trains a generated model the way Keras' <c>model.fit</c> does: on a dataset of independent sequences of the
/// same length, each run from the zero state, in shuffled mini-batches with one optimizer step per batch, a
/// validation split, early stopping, gradient clipping, a learning-rate schedule and per-batch and per-epoch
/// callbacks. Every buffer is allocated at construction: a batch, an epoch and the validation allocate nothing.
/// </summary>
/// <remarks>
/// <para>
/// Data is flat and row-major: inputs <c>[N, T, InputSize]</c> with T the <see cref="SequenceLength"/>; targets either
/// <c>[N, OutputSize]</c>, compared with each sequence's last output only (many-to-one, Keras'
/// <c>return_sequences=False</c>), or <c>[N, T, OutputSize]</c>, compared with every step's output (many-to-many).
/// The lengths of the spans tell which; when T is 1 they are the same thing.
/// </para>
/// <para>
/// A batch's loss is the loss function over the batch's predictions and targets together, so with the mean losses of
/// <see cref="Losses"/> it is Keras' mean over the batch and each sequence's gradient is scaled by 1/B (and 1/OutputSize,
/// and 1/T for many-to-many, for the mean squared error, as in Keras). The epoch's training loss is what Keras reports:
/// the mean of the batch losses weighted by the batch sizes. The validation loss is evaluated in batches of the same
/// size and averaged the same way, as Keras' <c>evaluate</c> does.
/// </para>
/// <para>
/// The kernels sit behind one internal seam, <see cref="IBatchKernels"/>: the model's batched recording Forward (each
/// sequence into its own trace) and its batch Backward, which forms each weight gradient over the whole mini-batch at
/// once; faster kernels can take its place without changing what <see cref="Fit"/> computes.
/// </para>
/// </remarks>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="TState">Its <c>State</c>.</typeparam>
/// <typeparam name="TTrace">Its <c>Trace</c>.</typeparam>
public sealed class BatchTrainer<TModel, TState, TTrace>
    where TModel : ISequenceTrainableModel<TState, TTrace>
    where TState : struct
    where TTrace : class
{
    private readonly TModel _model;
    private readonly Optimizer _optimizer;
    private readonly IBatchKernels _kernels;
    private readonly int _inputLength;
    private readonly int _outputLength;
    private readonly int _outputSize;

    // A batch gathered from shuffled samples, [B, T, InputSize] and its targets (at most [B, T, OutputSize]).
    private readonly float[] _batchInputs;
    private readonly float[] _batchTargets;
    private readonly float[] _outputs;
    private readonly float[] _outputGradients;

    // Many-to-one: the batch's last-step outputs and their gradient, [B, OutputSize].
    private readonly float[] _lastOutputs;
    private readonly float[] _lastGradients;

    // Aligned like the parameters: Backward accumulates into it with the same 32-byte accesses.
    private readonly AlignedFloats _gradients;
    private readonly TrainingCheckpoint _checkpoint;
    private readonly float[] _bestParameters;
    private int[] _order = [];

    /// <summary>Prepares to train <paramref name="model"/> on sequences of <paramref name="sequenceLength"/> steps.</summary>
    /// <param name="model">The model; its parameters are updated in place.</param>
    /// <param name="optimizer">The optimizer, sized for the model's parameters.</param>
    /// <param name="sequenceLength">T, the steps of every sequence; 1 or more.</param>
    /// <param name="maxBatchSize">The largest batch <see cref="Fit"/>, <see cref="TrainBatch"/> and <see cref="Evaluate"/> accept; 32 (Keras' default batch) unless set.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="optimizer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sequenceLength"/> or <paramref name="maxBatchSize"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">The optimizer is sized for another parameter count.</exception>
    public BatchTrainer(TModel model, Optimizer optimizer, int sequenceLength, int maxBatchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        if (optimizer.ParameterCount != model.Parameters.Length)
        {
            throw new ArgumentException($"The optimizer is sized for {optimizer.ParameterCount} parameters; the model has {model.Parameters.Length}.", nameof(optimizer));
        }

        _model = model;
        _optimizer = optimizer;
        SequenceLength = sequenceLength;
        MaxBatchSize = maxBatchSize;
        _outputSize = model.OutputSize;
        _inputLength = checked(sequenceLength * model.InputSize);
        _outputLength = checked(sequenceLength * model.OutputSize);
        _kernels = new ModelBatchKernels<TModel, TState, TTrace>(model, sequenceLength, maxBatchSize);

        _batchInputs = new float[checked(maxBatchSize * _inputLength)];
        _batchTargets = new float[checked(maxBatchSize * _outputLength)];
        _outputs = new float[_batchTargets.Length];
        _outputGradients = new float[_batchTargets.Length];
        _lastOutputs = new float[maxBatchSize * _outputSize];
        _lastGradients = new float[_lastOutputs.Length];
        _gradients = new AlignedFloats(model.Parameters.Length);
        _checkpoint = new TrainingCheckpoint(model.Parameters.Length, optimizer);
        _bestParameters = new float[model.Parameters.Length];
    }

    /// <summary>Gets T, the number of steps of every sequence.</summary>
    public int SequenceLength { get; }

    /// <summary>Gets the largest batch the trainer accepts.</summary>
    public int MaxBatchSize { get; }

    /// <summary>Gets the gradient of the last batch, laid out like the parameters (after clipping).</summary>
    public ReadOnlySpan<float> Gradients => _gradients.Span;

    /// <summary>
    /// One update on one batch (Keras' <c>train_on_batch</c>): each sequence from the zero state through a recording
    /// forward pass, the batch's loss and its gradient, backward, clipping and one optimizer step. Allocates nothing.
    /// </summary>
    /// <param name="inputs">The batch, <c>[B, T, InputSize]</c>, B from 1 to <see cref="MaxBatchSize"/>.</param>
    /// <param name="targets"><c>[B, OutputSize]</c> for the last step, or <c>[B, T, OutputSize]</c> for every step.</param>
    /// <param name="loss">The loss over the batch.</param>
    /// <param name="maxGradientNorm">The global norm to clip to; infinity never clips.</param>
    /// <returns>The batch's loss before the update.</returns>
    /// <exception cref="ArgumentException">A length does not fit, or <paramref name="maxGradientNorm"/> is negative or NaN.</exception>
    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, LossFunction loss, float maxGradientNorm = float.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!(maxGradientNorm >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxGradientNorm), maxGradientNorm, "The maximum norm must be non-negative.");
        }

        (int batchSize, bool lastStep) = Shape(inputs, targets);
        if (batchSize < 1 || batchSize > MaxBatchSize)
        {
            throw new ArgumentException($"Expected 1 to {MaxBatchSize} sequences, got {batchSize}.", nameof(inputs));
        }

        return TrainCore(inputs, targets, batchSize, lastStep, loss, maxGradientNorm);
    }

    /// <summary>
    /// The loss of the model on a dataset (Keras' <c>evaluate</c>): batches of <paramref name="batchSize"/> from the
    /// zero state, their losses averaged weighted by their sizes. Changes nothing and allocates nothing.
    /// </summary>
    /// <param name="inputs">The sequences, <c>[N, T, InputSize]</c>, N at least 1.</param>
    /// <param name="targets"><c>[N, OutputSize]</c> for the last step, or <c>[N, T, OutputSize]</c> for every step.</param>
    /// <param name="loss">The loss; mean squared error if null.</param>
    /// <param name="batchSize">Sequences per batch, 1 to <see cref="MaxBatchSize"/>; the mean losses of <see cref="Losses"/> give the same value for any batch size, up to rounding.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentException">A length does not fit, or <paramref name="batchSize"/> is out of range.</exception>
    public float Evaluate(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, LossFunction? loss = null, int batchSize = 32)
    {
        if (batchSize < 1 || batchSize > MaxBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"The batch size must be from 1 to {MaxBatchSize}.");
        }

        (int count, bool lastStep) = Shape(inputs, targets);
        if (count < 1)
        {
            throw new ArgumentException("At least one sequence is required.", nameof(inputs));
        }

        return EvaluateRange(inputs, targets, 0, count, lastStep, loss ?? Losses.MeanSquaredError, batchSize);
    }

    /// <summary>
    /// Trains for <see cref="FitOptions.Epochs"/> epochs, as Keras' <c>model.fit(x, y, batch_size, epochs,
    /// validation_split, shuffle, callbacks)</c> does.
    /// </summary>
    /// <param name="inputs">The sequences, <c>[N, T, InputSize]</c>.</param>
    /// <param name="targets"><c>[N, OutputSize]</c> (the last step) or <c>[N, T, OutputSize]</c> (every step).</param>
    /// <param name="options">How to train.</param>
    /// <returns>One report per epoch run, the epoch whose parameters the model ends with, and whether training stopped early.</returns>
    /// <remarks>
    /// <para>Each epoch, in this order (Keras' order):</para>
    /// <list type="number">
    /// <item><description>the schedule, if any, sets the learning rate from <see cref="Optimizer.InitialLearningRate"/>;</description></item>
    /// <item><description>with <see cref="FitOptions.Shuffle"/>, the training samples are put in a new seeded random order;</description></item>
    /// <item><description>every batch: forward, loss, backward, clipping, one optimizer step, then <see cref="FitOptions.OnBatch"/>;</description></item>
    /// <item><description>the validation loss, then early stopping's decision, then <see cref="FitOptions.OnEpoch"/>.</description></item>
    /// </list>
    /// <para>
    /// Every option is checked before anything changes. If anything throws during training (a callback, the
    /// schedule, a loss function), the model's parameters and the optimizer's state (moments, step count, learning
    /// rate) are put back to what they were at the end of the last completed epoch, or before the first if none
    /// completed, and the exception propagates unchanged; an epoch is complete once its validation loss is
    /// computed, so an exception from <see cref="FitOptions.OnEpoch"/> keeps that epoch. Early stopping's kept
    /// weights are not restored then.
    /// </para>
    /// <para>
    /// Without <see cref="EarlyStopping.RestoreBestWeights"/> the model ends with the last epoch's parameters, and
    /// <see cref="TrainingResult.BestEpoch"/> is the last epoch run. <see cref="EpochReport.IsBest"/> marks the epochs
    /// that improved the monitored loss (without early stopping: the validation loss, or the training loss when there
    /// is no validation split).
    /// </para>
    /// <para>Allocates the returned history (and, the first time a dataset this large is seen, its sample order).</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// A length does not fit, the batch size exceeds <see cref="MaxBatchSize"/>, the validation split leaves no
    /// training or no validation samples, or early stopping monitors a validation loss there is none of.
    /// </exception>
    public TrainingResult Fit(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, FitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (int count, bool lastStep) = Shape(inputs, targets);
        if (count < 1)
        {
            throw new ArgumentException("At least one sequence is required.", nameof(inputs));
        }

        int batchSize = options.BatchSize;
        if (batchSize > MaxBatchSize)
        {
            throw new ArgumentException($"FitOptions.BatchSize is {batchSize}, more than this trainer's MaxBatchSize, {MaxBatchSize}.", nameof(options));
        }

        int training = count;
        if (options.ValidationSplit > 0)
        {
            // Keras: split_at = int(math.floor(batch_dim * (1.0 - validation_split))), in double.
            training = (int)Math.Floor(count * (1.0 - options.ValidationSplit));
            if (training == 0 || training == count)
            {
                throw new ArgumentException(
                    $"FitOptions.ValidationSplit = {options.ValidationSplit} splits {count} sequences into {training} for training and {count - training} for validation; both must be at least 1.",
                    nameof(options));
            }
        }

        int validation = count - training;
        EarlyStopping? stopping = options.EarlyStopping;
        if (stopping is { Monitor: EarlyStoppingMonitor.ValidationLoss } && validation == 0)
        {
            throw new ArgumentException("FitOptions.EarlyStopping monitors the validation loss, but FitOptions.ValidationSplit holds out no sequences.", nameof(options));
        }

        if (options.Shuffle && _order.Length < training)
        {
            _order = new int[training];
        }

        // Everything is checked: from here on, the parameters change.
        int batches = ((training - 1) / batchSize) + 1;
        var history = new List<EpochReport>(options.Epochs);
        var random = new ShuffleRandom(options.Seed);
        Span<int> order = _order.AsSpan(0, options.Shuffle ? training : 0);
        Span<float> parameters = _model.Parameters;
        float baseRate = _optimizer.InitialLearningRate;
        LossFunction loss = options.Loss;
        float best = float.PositiveInfinity;
        int wait = 0;
        int keptEpoch = 0;
        bool stoppedEarly = false;
        _checkpoint.Save(parameters, _optimizer);
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                if (options.Schedule is not null)
                {
                    _optimizer.LearningRate = options.Schedule(epoch - 1, baseRate);
                }

                if (options.Shuffle)
                {
                    for (int i = 0; i < order.Length; i++)
                    {
                        order[i] = i;
                    }

                    random.Shuffle(order);
                }

                double lossSum = 0;
                for (int batch = 0; batch < batches; batch++)
                {
                    int start = batch * batchSize;
                    int size = Math.Min(batchSize, training - start);
                    float batchLoss = options.Shuffle
                        ? TrainGathered(inputs, targets, order.Slice(start, size), lastStep, loss, options.MaxGradientNorm)
                        : TrainCore(
                            inputs.Slice(start * _inputLength, size * _inputLength),
                            targets.Slice(start * TargetLength(lastStep), size * TargetLength(lastStep)),
                            size,
                            lastStep,
                            loss,
                            options.MaxGradientNorm);
                    lossSum += (double)batchLoss * size;
                    options.OnBatch?.Invoke(new BatchReport(epoch, batch + 1, batches, size, batchLoss, _optimizer.LearningRate));
                }

                float trainingLoss = (float)(lossSum / training);
                float validationLoss = validation > 0
                    ? EvaluateRange(inputs, targets, training, validation, lastStep, loss, batchSize)
                    : float.NaN;
                _checkpoint.Save(parameters, _optimizer);

                bool isBest;
                bool stop = false;
                if (stopping is null)
                {
                    float monitored = validation > 0 ? validationLoss : trainingLoss;
                    isBest = monitored < best;
                    if (isBest)
                    {
                        best = monitored;
                    }
                }
                else
                {
                    (isBest, stop) = Watch(stopping, epoch - 1, stopping.Monitor == EarlyStoppingMonitor.ValidationLoss ? validationLoss : trainingLoss, ref best, ref wait, ref keptEpoch);
                }

                var report = new EpochReport(epoch, options.Epochs, trainingLoss, validationLoss, _optimizer.LearningRate, isBest);
                history.Add(report);
                options.OnEpoch?.Invoke(report);
                if (stop)
                {
                    stoppedEarly = epoch < options.Epochs;
                    break;
                }
            }
        }
        catch
        {
            _checkpoint.Restore(parameters, _optimizer);
            throw;
        }

        if (stopping is { RestoreBestWeights: true } && keptEpoch > 0)
        {
            _bestParameters.CopyTo(parameters);
            return new TrainingResult(history, keptEpoch, stoppedEarly);
        }

        return new TrainingResult(history, history.Count, stoppedEarly);
    }

    /// <summary>Keras' <c>EarlyStopping.on_epoch_end</c> for epoch <paramref name="epoch"/> (0-based): whether it improved, whether to stop.</summary>
    private (bool Improved, bool Stop) Watch(EarlyStopping stopping, int epoch, float current, ref float best, ref int wait, ref int keptEpoch)
    {
        if (epoch < stopping.StartFromEpoch)
        {
            return (false, false);
        }

        if (stopping.RestoreBestWeights && keptEpoch == 0)
        {
            // Keras: "If best weights were never set, then the current weights are the best."
            _model.Parameters.CopyTo(_bestParameters);
            keptEpoch = epoch + 1;
        }

        wait++;
        if (current + stopping.MinDelta < best)
        {
            best = current;
            if (stopping.RestoreBestWeights)
            {
                _model.Parameters.CopyTo(_bestParameters);
                keptEpoch = epoch + 1;
            }

            if (stopping.Baseline is not float baseline || current + stopping.MinDelta < baseline)
            {
                wait = 0;
            }

            return (true, false);
        }

        return (false, wait >= stopping.Patience && epoch > 0);
    }

    private int TargetLength(bool lastStep) => lastStep ? _outputSize : _outputLength;

    /// <summary>The number of sequences in <paramref name="inputs"/>, and whether <paramref name="targets"/> are for the last step only.</summary>
    private (int Count, bool LastStep) Shape(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets)
    {
        if (inputs.Length % _inputLength != 0)
        {
            throw new ArgumentException($"Expected whole sequences of {SequenceLength} steps of {_model.InputSize} features ({_inputLength} floats each), got {inputs.Length} floats.", nameof(inputs));
        }

        int count = inputs.Length / _inputLength;
        if (targets.Length == (long)count * _outputSize)
        {
            return (count, true);
        }

        if (targets.Length == (long)count * _outputLength)
        {
            return (count, false);
        }

        throw new ArgumentException(
            $"Expected targets for {count} sequences: [{count}, {_outputSize}] for the last step ({(long)count * _outputSize} floats) or [{count}, {SequenceLength}, {_outputSize}] for every step ({(long)count * _outputLength}), got {targets.Length} floats.",
            nameof(targets));
    }

    /// <summary>Copies the samples <paramref name="indices"/> into the batch buffers and trains on them.</summary>
    private float TrainGathered(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ReadOnlySpan<int> indices, bool lastStep, LossFunction loss, float maxGradientNorm)
    {
        int targetLength = TargetLength(lastStep);
        for (int b = 0; b < indices.Length; b++)
        {
            int sample = indices[b];
            inputs.Slice(sample * _inputLength, _inputLength).CopyTo(_batchInputs.AsSpan(b * _inputLength));
            targets.Slice(sample * targetLength, targetLength).CopyTo(_batchTargets.AsSpan(b * targetLength));
        }

        return TrainCore(
            _batchInputs.AsSpan(0, indices.Length * _inputLength),
            _batchTargets.AsSpan(0, indices.Length * targetLength),
            indices.Length,
            lastStep,
            loss,
            maxGradientNorm);
    }

    private float TrainCore(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, bool lastStep, LossFunction loss, float maxGradientNorm)
    {
        Span<float> outputs = _outputs.AsSpan(0, batchSize * _outputLength);
        Span<float> outputGradients = _outputGradients.AsSpan(0, outputs.Length);
        _kernels.ForwardRecording(inputs, batchSize, outputs);
        float value;
        if (lastStep)
        {
            Span<float> lastOutputs = GatherLastSteps(outputs, batchSize);
            Span<float> lastGradients = _lastGradients.AsSpan(0, lastOutputs.Length);
            value = loss(lastOutputs, targets, lastGradients);

            // The loss sees only the last step, so every earlier step's output gradient is zero.
            outputGradients.Clear();
            for (int b = 0; b < batchSize; b++)
            {
                lastGradients.Slice(b * _outputSize, _outputSize).CopyTo(outputGradients.Slice(((b + 1) * _outputLength) - _outputSize));
            }
        }
        else
        {
            value = loss(outputs, targets, outputGradients);
        }

        Span<float> gradients = _gradients.Span;
        gradients.Clear();
        _kernels.Backward(outputGradients, gradients);
        if (!float.IsPositiveInfinity(maxGradientNorm))
        {
            GradientClipping.ClipByGlobalNorm(gradients, maxGradientNorm);
        }

        _optimizer.Step(_model.Parameters, gradients);
        return value;
    }

    /// <summary>The weighted mean of the batch losses over the <paramref name="count"/> sequences from <paramref name="first"/>.</summary>
    private float EvaluateRange(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int first, int count, bool lastStep, LossFunction loss, int batchSize)
    {
        int targetLength = TargetLength(lastStep);
        double sum = 0;
        for (int start = first; start < first + count; start += batchSize)
        {
            int size = Math.Min(batchSize, first + count - start);
            Span<float> outputs = _outputs.AsSpan(0, size * _outputLength);
            _kernels.Forward(inputs.Slice(start * _inputLength, size * _inputLength), size, outputs);
            ReadOnlySpan<float> predictions = lastStep ? GatherLastSteps(outputs, size) : outputs;
            sum += (double)loss(predictions, targets.Slice(start * targetLength, size * targetLength), Span<float>.Empty) * size;
        }

        return (float)(sum / count);
    }

    /// <summary>Copies each sequence's last-step outputs into <c>[B, OutputSize]</c>.</summary>
    private Span<float> GatherLastSteps(ReadOnlySpan<float> outputs, int batchSize)
    {
        Span<float> last = _lastOutputs.AsSpan(0, batchSize * _outputSize);
        for (int b = 0; b < batchSize; b++)
        {
            outputs.Slice(((b + 1) * _outputLength) - _outputSize, _outputSize).CopyTo(last.Slice(b * _outputSize));
        }

        return last;
    }
}
