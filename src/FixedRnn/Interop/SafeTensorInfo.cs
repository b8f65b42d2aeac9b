using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace FixedRnn.Interop;

/// <summary>Describes one validated tensor entry of a safetensors header.</summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, SafeTensorsDType dtype, long[] shape, long elementCount, long dataOffset, long dataLength)
    {
        Name = name;
        DType = dtype;
        // Wrapped so that a caller cannot cast back to long[] and corrupt the validated geometry.
        Shape = new ReadOnlyCollection<long>(shape);
        ElementCount = elementCount;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    /// <summary>Gets the tensor's name, as it appears (unescaped) in the header.</summary>
    public string Name { get; }

    /// <summary>Gets the element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>Gets the dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Gets the number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>Gets the offset of the tensor's first byte, relative to the start of the data section (the byte after the header).</summary>
    public long DataOffset { get; }

    /// <summary>Gets the number of bytes the tensor occupies: <see cref="ElementCount"/> times the element size.</summary>
    public long DataLength { get; }
}
