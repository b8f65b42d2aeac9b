using System;
using System.ComponentModel;

namespace FixedRnn.Numerics;

/// <summary>Allocates the buffers of a generated training trace, with one clear error for impossible sizes.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class TraceBuffer
{
    /// <summary>A zeroed buffer of <paramref name="rows"/> × <paramref name="rowLength"/> floats.</summary>
    /// <param name="rows">Rows, such as recorded steps.</param>
    /// <param name="rowLength">Floats per row.</param>
    /// <returns>The buffer.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The buffer would exceed the largest array .NET allows.</exception>
    public static float[] Allocate(int rows, int rowLength)
    {
        long length = (long)rows * rowLength;
        if (rows < 0 || rowLength < 0 || length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"A trace of {rows} steps would need {length} floats in one buffer; use fewer steps per window.");
        }

        return new float[length];
    }
}
