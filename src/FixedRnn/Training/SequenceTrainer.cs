using System;
using System.Collections.Generic;

using FixedRnn.Numerics;

namespace FixedRnn.Training;

/// <summary>
/// Trains a generated model on one long series: windows of truncated BPTT with the state carried
/// forward, gradient clipping, an optimizer, a learning-rate schedule, per-epoch reports and early
/// stopping on a validation tail. Every buffer is allocated at construction, so a training step
/// allocates nothing. A model with a bidirectional layer is no <see cref="ITrainableModel{TState, TTrace}"/> and cannot
/// be trained here: its reverse direction would need the rest of the series before each window, which truncated BPTT
/// over one stream does not have. Train it with <see cref="BatchTrainer{TModel, TState, TTrace}"/> on independent windows.
/// </summary>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="TState">Its <c>State</c>.</typeparam>
/// <typeparam name="TTrace">Its <c>Trace</c>.</typeparam>
public sealed class SequenceTrainer<TModel, TState, TTrace>
    where TModel : ITrainableModel<TState, TTrace>
    where TState : struct
    where TTrace : class
{
    private readonly TModel _model;
    private readonly Optimizer _optimizer;
    private readonly TTrace _trace;
    private readonly float[] _outputs;
    private readonly float[] _outputGradients;
    // Aligned like the parameters: Backward accumulates into it with the same 32-byte accesses.
    private readonly AlignedFloats _gradients;
    private readonly TrainingCheckpoint _checkpoint;

    /// <summary>Prepares to train <paramref name="model"/> in windows of up to <paramref name="maxWindowLength"/> steps.</summary>
    /// <param name="model">The model; its parameters are updated in place.</param>
    /// <param name="optimizer">The optimizer, sized for the model's parameters.</param>
    /// <param name="maxWindowLength">The longest window <see cref="TrainWindow"/> accepts.</param>
    public SequenceTrainer(TModel model, Optimizer optimizer, int maxWindowLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWindowLength);
        if (optimizer.ParameterCount != model.Parameters.Length)
        {
            throw new ArgumentException($"The optimizer is sized for {optimizer.ParameterCount} parameters; the model has {model.Parameters.Length}.", nameof(optimizer));
        }

        _model = model;
        _optimizer = optimizer;
        MaxWindowLength = maxWindowLength;
        _trace = model.CreateTrace(maxWindowLength);
        _outputs = new float[maxWindowLength * model.OutputSize];
        _outputGradients = new float[maxWindowLength * model.OutputSize];
        _gradients = new AlignedFloats(model.Parameters.Length);
        _checkpoint = new TrainingCheckpoint(model.Parameters.Length, optimizer);
    }

    /// <summary>The longest window <see cref="TrainWindow"/> accepts.</summary>
    public int MaxWindowLength { get; }

    /// <summary>The gradient of the last window, laid out like the parameters (after clipping).</summary>
    public ReadOnlySpan<float> Gradients => _gradients.Span;

    /// <summary>
    /// One training step: a recording forward pass over the window from <paramref name="state"/>, the loss,
    /// backward (the gradient cut at the window's end), clipping and the optimizer update. Allocates nothing.
    /// </summary>
    /// <param name="inputs">The window's inputs, <c>[T, InputSize]</c>.</param>
    /// <param name="targets">The window's targets, <c>[T, OutputSize]</c>.</param>
    /// <param name="state">The state before the window; on return, the state after it (computed before the update).</param>
    /// <param name="loss">The loss function.</param>
    /// <param name="maxGradientNorm">The global norm to clip to; infinity never clips.</param>
    /// <returns>The window's loss before the update.</returns>
    public float TrainWindow(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, ref TState state, LossFunction loss, float maxGradientNorm = float.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(loss);
        int steps = inputs.Length / _model.InputSize;
        if (inputs.Length % _model.InputSize != 0 || steps > MaxWindowLength)
        {
            throw new ArgumentException($"Expected at most {MaxWindowLength} whole steps of {_model.InputSize} features, got {inputs.Length} floats.", nameof(inputs));
        }

        if (targets.Length != steps * _model.OutputSize)
        {
            throw new ArgumentException($"Expected {steps} steps of {_model.OutputSize} targets, got {targets.Length} floats.", nameof(targets));
        }

        Span<float> outputs = _outputs.AsSpan(0, steps * _model.OutputSize);
        Span<float> outputGradients = _outputGradients.AsSpan(0, outputs.Length);
        _model.Forward(inputs, ref state, outputs, _trace);
        float value = loss(outputs, targets, outputGradients);

        _gradients.Span.Clear();
        TState stateGradient = default;
        _model.Backward(_trace, outputGradients, _gradients.Span, Span<float>.Empty, ref stateGradient);
        if (!float.IsPositiveInfinity(maxGradientNorm))
        {
            GradientClipping.ClipByGlobalNorm(_gradients.Span, maxGradientNorm);
        }

        _optimizer.Step(_model.Parameters, _gradients.Span);
        return value;
    }

    /// <summary>
    /// Trains on a series of inputs and aligned targets (<c>targets[t]</c> is what the output at step t
    /// should be), from the zero state, for <see cref="TrainerOptions.Epochs"/> epochs.
    /// </summary>
    /// <param name="inputs">The series, <c>[N, InputSize]</c>.</param>
    /// <param name="targets">The targets, <c>[N, OutputSize]</c>.</param>
    /// <param name="options">How to train; its window length must not exceed <see cref="MaxWindowLength"/>.</param>
    /// <returns>The per-epoch history.</returns>
    /// <remarks>
    /// <para>
    /// Every option is checked before any parameter changes. The schedule, if any, starts from the optimizer's
    /// <see cref="Optimizer.InitialLearningRate"/> in every call. At the end the model holds the parameters of the
    /// epoch with the best validation loss (the last epoch without a validation part).
    /// </para>
    /// <para>
    /// If anything throws during training (the schedule, <see cref="TrainerOptions.OnEpoch"/>, the loss), the
    /// parameters and the optimizer's state (moments, step count, learning rate) are put back to what they were at
    /// the end of the last completed epoch, or before the first if none completed, and the exception propagates
    /// unchanged; an epoch is complete once its validation loss is computed, so an exception from
    /// <see cref="TrainerOptions.OnEpoch"/> keeps that epoch. The best parameters are not restored then.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The lengths do not match, or the options do not fit the series or the trainer (a window longer than
    /// <see cref="MaxWindowLength"/>, a stride longer than the window, a validation fraction that holds out no step
    /// or every step); the message names the option.
    /// </exception>
    public TrainingResult Fit(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int inputSize = _model.InputSize;
        int outputSize = _model.OutputSize;
        if (inputs.Length % inputSize != 0 || targets.Length != inputs.Length / inputSize * outputSize)
        {
            throw new ArgumentException($"Expected [N, {inputSize}] inputs and [N, {outputSize}] targets.", nameof(targets));
        }

        int total = inputs.Length / inputSize;
        int validation = (int)Math.Round(total * (double)options.ValidationFraction);
        int training = total - validation;
        if (options.ValidationFraction > 0 && (validation < 1 || training < 1))
        {
            throw new ArgumentException(
                $"TrainerOptions.ValidationFraction = {options.ValidationFraction} holds out {validation} of {total} steps; it must leave at least one step for validation and one for training.",
                nameof(options));
        }

        if (training < 1)
        {
            throw new ArgumentException("The series has no steps to train on.", nameof(inputs));
        }

        int window = options.WindowLength > 0 ? options.WindowLength : training;
        int stride = options.Stride > 0 ? options.Stride : window;
        if (window > MaxWindowLength)
        {
            throw new ArgumentException(
                options.WindowLength > 0
                    ? $"TrainerOptions.WindowLength is {window}, longer than this trainer's MaxWindowLength, {MaxWindowLength}."
                    : $"TrainerOptions.WindowLength is 0 (the whole training series, {training} steps), longer than this trainer's MaxWindowLength, {MaxWindowLength}.",
                nameof(options));
        }

        if (stride > window)
        {
            throw new ArgumentException($"TrainerOptions.Stride is {stride}, longer than the window of {window} steps, which would skip steps.", nameof(options));
        }

        // Everything is checked: from here on, the parameters change.
        float baseRate = _optimizer.InitialLearningRate;
        float[] validationOutputs = new float[validation > 0 ? total * outputSize : 0];
        float[] bestParameters = _model.Parameters.ToArray();
        var history = new List<EpochReport>(options.Epochs);
        float best = float.PositiveInfinity;
        int bestEpoch = 0;
        bool stoppedEarly = false;
        _checkpoint.Save(_model.Parameters, _optimizer);
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                if (options.Schedule is not null)
                {
                    _optimizer.LearningRate = options.Schedule(epoch - 1, baseRate);
                }

                double lossSum = 0;
                int lossSteps = 0;
                TState carried = default;
                for (int start = 0; start < training; start += stride)
                {
                    int steps = Math.Min(window, training - start);
                    TState state = carried;
                    float loss = TrainWindow(
                        inputs.Slice(start * inputSize, steps * inputSize),
                        targets.Slice(start * outputSize, steps * outputSize),
                        ref state,
                        options.Loss,
                        options.MaxGradientNorm);
                    lossSum += (double)loss * steps;
                    lossSteps += steps;
                    if (stride < steps)
                    {
                        // Overlapping windows: the next one starts `stride` steps in, so advance the window's
                        // starting state by those steps (with the updated parameters, as truncated BPTT does).
                        _model.Forward(inputs.Slice(start * inputSize, stride * inputSize), ref carried, _outputs.AsSpan(0, stride * outputSize));
                    }
                    else
                    {
                        carried = state;
                    }
                }

                float validationLoss = float.NaN;
                bool isBest;
                if (validation > 0)
                {
                    TState state = default;
                    _model.Forward(inputs, ref state, validationOutputs);
                    validationLoss = options.Loss(validationOutputs.AsSpan(training * outputSize), targets[(training * outputSize)..], Span<float>.Empty);
                    isBest = validationLoss < best;
                }
                else
                {
                    isBest = true;
                }

                _checkpoint.Save(_model.Parameters, _optimizer);
                if (isBest)
                {
                    best = validationLoss;
                    bestEpoch = epoch;
                    _model.Parameters.CopyTo(bestParameters);
                }

                var report = new EpochReport(epoch, options.Epochs, (float)(lossSum / lossSteps), validationLoss, _optimizer.LearningRate, isBest);
                history.Add(report);
                options.OnEpoch?.Invoke(report);
                if (options.Patience > 0 && epoch - bestEpoch >= options.Patience)
                {
                    stoppedEarly = epoch < options.Epochs;
                    break;
                }
            }
        }
        catch
        {
            _checkpoint.Restore(_model.Parameters, _optimizer);
            throw;
        }

        bestParameters.CopyTo(_model.Parameters);
        return new TrainingResult(history, bestEpoch, stoppedEarly);
    }
}
