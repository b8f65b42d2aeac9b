using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedRnn.Numerics;

/// <summary>Eight lanes as two <see cref="Vector128{T}"/> halves: the SSE / NEON path.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FloatBlock128 : IFloatBlock<FloatBlock128>
{
    /// <summary>Never: each block takes two registers, so 16 accumulators would take all 32 of Arm64 and more than x64 has.</summary>
    public static bool WideTiles => false;

    private readonly Vector128<float> _lower;
    private readonly Vector128<float> _upper;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloatBlock128(Vector128<float> lower, Vector128<float> upper)
    {
        _lower = lower;
        _upper = upper;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 Load(ref float source, nuint offset)
        => new(Vector128.LoadUnsafe(ref source, offset), Vector128.LoadUnsafe(ref source, offset + 4));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloatBlock128 value, ref float destination, nuint offset)
    {
        value._lower.StoreUnsafe(ref destination, offset);
        value._upper.StoreUnsafe(ref destination, offset + 4);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 Broadcast(float value)
    {
        Vector128<float> lanes = Vector128.Create(value);
        return new(lanes, lanes);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 MultiplyAdd(FloatBlock128 left, FloatBlock128 right, FloatBlock128 addend)
        => new(Vector128.MultiplyAddEstimate(left._lower, right._lower, addend._lower),
               Vector128.MultiplyAddEstimate(left._upper, right._upper, addend._upper));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 MultiplyAdd(FloatBlock128 left, ref float source, nuint offset, FloatBlock128 addend)
        => new(Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref source, offset), left._lower, addend._lower),
               Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref source, offset + 4), left._upper, addend._upper));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 Sigmoid(FloatBlock128 x) => new(Activations.Sigmoid(x._lower), Activations.Sigmoid(x._upper));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 Tanh(FloatBlock128 x) => new(Activations.Tanh(x._lower), Activations.Tanh(x._upper));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 Relu(FloatBlock128 x)
        => new(Vector128.Min(Vector128.Max(x._lower, Vector128<float>.Zero), Vector128.Create(Saturation.Limit)),
               Vector128.Min(Vector128.Max(x._upper, Vector128<float>.Zero), Vector128.Create(Saturation.Limit)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 PositiveIndicator(FloatBlock128 x)
        => new(Vector128.GreaterThan(x._lower, Vector128<float>.Zero) & Vector128<float>.One,
               Vector128.GreaterThan(x._upper, Vector128<float>.Zero) & Vector128<float>.One);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(FloatBlock128 x) => Vector128.Sum(x._lower + x._upper);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 operator +(FloatBlock128 left, FloatBlock128 right) => new(left._lower + right._lower, left._upper + right._upper);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 operator -(FloatBlock128 left, FloatBlock128 right) => new(left._lower - right._lower, left._upper - right._upper);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock128 operator *(FloatBlock128 left, FloatBlock128 right) => new(left._lower * right._lower, left._upper * right._upper);
}
