using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;

namespace FixedRnn.Numerics;

/// <summary>Eight lanes in one <see cref="Vector256{T}"/>: the AVX2 + FMA path.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct FloatBlock256 : IFloatBlock<FloatBlock256>
{
    /// <summary>Where AVX-512 is available: its EVEX encoding gives Vector256 code 32 registers.</summary>
    public static bool WideTiles => Avx512F.VL.IsSupported;

    private readonly Vector256<float> _value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private FloatBlock256(Vector256<float> value) => _value = value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 Load(ref float source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(FloatBlock256 value, ref float destination, nuint offset) => value._value.StoreUnsafe(ref destination, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 Broadcast(float value) => new(Vector256.Create(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 MultiplyAdd(FloatBlock256 left, FloatBlock256 right, FloatBlock256 addend)
        => new(Fma.IsSupported
            ? Fma.MultiplyAdd(left._value, right._value, addend._value)
            : (left._value * right._value) + addend._value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 MultiplyAdd(FloatBlock256 left, ref float source, nuint offset, FloatBlock256 addend)
        => new(Fma.IsSupported
            ? Fma.MultiplyAdd(Vector256.LoadUnsafe(ref source, offset), left._value, addend._value)
            : (Vector256.LoadUnsafe(ref source, offset) * left._value) + addend._value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 Sigmoid(FloatBlock256 x) => new(Activations.Sigmoid(x._value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 Tanh(FloatBlock256 x) => new(Activations.Tanh(x._value));

    /// <summary>
    /// <see cref="Sigmoid(FloatBlock256)"/> of two blocks: one <see cref="Vector512{T}"/> evaluation where
    /// Vector512 is accelerated (chosen when the JIT compiles the kernel), two Vector256 ones elsewhere.
    /// Every lane gets the same bits either way: <see cref="Activations"/> runs the same algorithm at every width.
    /// </summary>
    /// <param name="first">The first block.</param>
    /// <param name="second">The second block.</param>
    /// <returns>The two activated blocks.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (FloatBlock256 First, FloatBlock256 Second) Sigmoid(FloatBlock256 first, FloatBlock256 second)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> both = Activations.Sigmoid(Vector512.Create(first._value, second._value));
            return (new(both.GetLower()), new(both.GetUpper()));
        }

        return (Sigmoid(first), Sigmoid(second));
    }

    /// <summary><see cref="Tanh(FloatBlock256)"/> of two blocks; see <see cref="Sigmoid(FloatBlock256, FloatBlock256)"/>.</summary>
    /// <param name="first">The first block.</param>
    /// <param name="second">The second block.</param>
    /// <returns>The two activated blocks.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (FloatBlock256 First, FloatBlock256 Second) Tanh(FloatBlock256 first, FloatBlock256 second)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> both = Activations.Tanh(Vector512.Create(first._value, second._value));
            return (new(both.GetLower()), new(both.GetUpper()));
        }

        return (Tanh(first), Tanh(second));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 Relu(FloatBlock256 x) => new(Vector256.Min(Vector256.Max(x._value, Vector256<float>.Zero), Vector256.Create(Saturation.Limit)));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 PositiveIndicator(FloatBlock256 x)
        => new(Vector256.GreaterThan(x._value, Vector256<float>.Zero) & Vector256<float>.One);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(FloatBlock256 x) => Vector256.Sum(x._value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 operator +(FloatBlock256 left, FloatBlock256 right) => new(left._value + right._value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 operator -(FloatBlock256 left, FloatBlock256 right) => new(left._value - right._value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatBlock256 operator *(FloatBlock256 left, FloatBlock256 right) => new(left._value * right._value);
}
