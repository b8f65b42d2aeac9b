using FixedRnn.Training;

namespace FixedRnn.Demo;

/// <summary>How every network is trained; the same for all three so the comparison is about the cells.</summary>
/// <param name="Epochs">The most passes over the training part.</param>
/// <param name="Seed">Seeds the weight initialization; training itself draws no random numbers.</param>
public sealed record TrainingSettings(int Epochs, int Seed)
{
    /// <summary>Truncated-BPTT window: about three months of trading days.</summary>
    public int WindowLength { get; init; } = 64;

    /// <summary>Half-overlapping windows give each step two gradient contexts per epoch on a short series.</summary>
    public int Stride { get; init; } = 32;

    /// <summary>Adam's step size.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Global-norm clipping: market returns have fat tails, and one crash day must not blow up the weights.</summary>
    public float MaxGradientNorm { get; init; } = 1f;

    /// <summary>Epochs without a better validation loss before stopping; the best epoch's weights are kept.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Keras' scheme: Glorot and orthogonal weights, zero biases (LSTM forget bias 1).</summary>
    public InitializationScheme Initialization { get; init; } = InitializationScheme.Keras;
}
