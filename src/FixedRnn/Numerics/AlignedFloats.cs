using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FixedRnn.Numerics;

/// <summary>
/// A float buffer whose first element sits on a 64-byte boundary and never moves: the backing store of
/// every generated model's <c>Parameters</c>.
/// </summary>
/// <remarks>
/// The kernels read their weights with 32-byte loads at offsets that are multiples of 8 floats. A plain
/// <c>float[]</c> starts wherever the GC placed the object (8-byte granularity), so half of those loads
/// would straddle two cache lines; measured on Zen 4, an FMA loop fed that way runs at 55% of the FMA
/// peak instead of 86% (benchmarks/README.md, PeakBenchmarks). The array is allocated on the pinned
/// object heap with 15 floats of slack, and the view starts at the first 64-byte boundary inside it.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct AlignedFloats
{
    /// <summary>The alignment of <see cref="Start"/>, in bytes: one cache line.</summary>
    public const int Alignment = 64;

    private readonly float[] _array;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed floats, 64-byte aligned and pinned.</summary>
    /// <param name="length">The number of floats, zero or more.</param>
    public AlignedFloats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        const int slack = (Alignment / sizeof(float)) - 1;
        _array = GC.AllocateArray<float>(length + slack, pinned: true);
        // The array is pinned, so its address (its distance from null) is fixed for its lifetime.
        nuint address = (nuint)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetArrayDataReference(_array));
        _offset = (int)((Alignment - (address % Alignment)) % Alignment) / sizeof(float);
        Length = length;
    }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>The floats, as a span over the aligned part of the array.</summary>
    public Span<float> Span => new(_array, _offset, Length);

    /// <summary>The first float, for kernels that address the buffer by offset.</summary>
    public ref float Start
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
    }
}
