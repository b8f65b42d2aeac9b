using System.ComponentModel;

namespace FixedRnn.Numerics;

/// <summary>
/// A generated training trace as the generated batch kernels read it: its buffers and length. Every generated <c>Trace</c>
/// implements it explicitly, so that a model's batch kernels can take a span of traces without naming the model's
/// type, which may be nested in a type they cannot see.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ITraceBuffers
{
    /// <summary>Gets the trace's buffers, in the order its constructor allocates them.</summary>
    float[][] Buffers { get; }

    /// <summary>Gets the number of steps the last recording forward pass recorded.</summary>
    int Steps { get; }
}
