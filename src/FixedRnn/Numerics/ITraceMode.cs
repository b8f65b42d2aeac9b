using System.ComponentModel;
namespace FixedRnn.Numerics;

/// <summary>
/// Whether a generated forward kernel records what the backward pass needs. Kernels take the mode as
/// a type parameter, so the JIT compiles the recording stores in or out: inference pays nothing for
/// training support, and both uses share one kernel.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITraceMode
{
    /// <summary><see langword="true"/> when the kernel stores its gate activations in a trace.</summary>
    static abstract bool IsRecording { get; }
}

/// <summary>Inference: nothing is recorded.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct NoTrace : ITraceMode
{
    /// <inheritdoc/>
    public static bool IsRecording => false;
}

/// <summary>Training: gate activations are stored for the backward pass.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct RecordTrace : ITraceMode
{
    /// <inheritdoc/>
    public static bool IsRecording => true;
}
