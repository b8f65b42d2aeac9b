using System;

namespace FixedRnn.Training;

/// <summary>
/// The seam between <see cref="BatchTrainer{TModel, TState, TTrace}"/> and the model's kernels: everything the
/// trainer asks of the model for one mini-batch of independent sequences, each starting from the zero state.
/// </summary>
/// <remarks>
/// <para>
/// Batches are contiguous and row-major: inputs <c>[B, T, InputSize]</c>, outputs and output gradients
/// <c>[B, T, OutputSize]</c>, B from 1 to <see cref="MaxBatchSize"/> and T the trainer's sequence length. The trainer
/// gathers the (possibly shuffled) samples of a batch into that layout before calling, so an implementation never
/// sees the dataset.
/// </para>
/// <para>
/// The implementation is <see cref="ModelBatchKernels{TModel, TState, TTrace}"/>, over the model's batched
/// recording <c>Forward</c> and its batch <c>Backward</c>, which forms the weight gradients over the whole batch as
/// register-tiled matrix products. A faster kernel set (stream-tiled recording, a backward through time over
/// several streams at once) would implement this interface and be chosen in
/// <see cref="BatchTrainer{TModel, TState, TTrace}"/>'s constructor. The contract that keeps the trainer's
/// behaviour unchanged: the same outputs for the same parameters, and <see cref="Backward"/> adding the
/// sum over the batch of each sequence's dL/dParameters (the loss gradient already carries the 1/B of the batch mean).
/// </para>
/// </remarks>
internal interface IBatchKernels
{
    /// <summary>Gets the largest batch the kernels hold traces for.</summary>
    int MaxBatchSize { get; }

    /// <summary>Runs <paramref name="batchSize"/> sequences from the zero state, recording what <see cref="Backward"/> needs.</summary>
    /// <param name="inputs">The batch's inputs, <c>[B, T, InputSize]</c>.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="outputs">Receives every step's outputs, <c>[B, T, OutputSize]</c>.</param>
    void ForwardRecording(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs);

    /// <summary>
    /// Backpropagates the batch recorded by the last <see cref="ForwardRecording"/>: adds the sum of the sequences'
    /// dL/dParameters into <paramref name="parameterGradients"/>. The gradient stops at each sequence's zero initial state.
    /// </summary>
    /// <param name="outputGradients">dL/dOutputs, <c>[B, T, OutputSize]</c> for the recorded B.</param>
    /// <param name="parameterGradients">Accumulates dL/dParameters, laid out like the parameters.</param>
    void Backward(ReadOnlySpan<float> outputGradients, Span<float> parameterGradients);

    /// <summary>Runs <paramref name="batchSize"/> sequences from the zero state without recording (validation, evaluation).</summary>
    /// <param name="inputs">The batch's inputs, <c>[B, T, InputSize]</c>.</param>
    /// <param name="batchSize">B.</param>
    /// <param name="outputs">Receives every step's outputs, <c>[B, T, OutputSize]</c>.</param>
    void Forward(ReadOnlySpan<float> inputs, int batchSize, Span<float> outputs);
}
