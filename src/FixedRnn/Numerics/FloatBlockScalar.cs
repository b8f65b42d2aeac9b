using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace FixedRnn.Numerics;

/// <summary>Eight lanes as plain floats: the path for hardware (or settings) without SIMD.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct FloatBlockScalar : IFloatBlock<FloatBlockScalar>
{
    /// <summary>Never: a scalar block is eight floats.</summary>
    public static bool WideTiles => false;

    private Lanes8 _lanes;

    /// <inheritdoc/>
    public static FloatBlockScalar Load(ref float source, nuint offset)
    {
        FloatBlockScalar block = default;
        for (int lane = 0; lane < 8; lane++)
        {
            block._lanes[lane] = Unsafe.Add(ref source, offset + (nuint)lane);
        }

        return block;
    }

    /// <inheritdoc/>
    public static void Store(FloatBlockScalar value, ref float destination, nuint offset)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            Unsafe.Add(ref destination, offset + (nuint)lane) = value._lanes[lane];
        }
    }

    /// <inheritdoc/>
    public static FloatBlockScalar Broadcast(float value)
    {
        FloatBlockScalar block = default;
        ((System.Span<float>)block._lanes).Fill(value);
        return block;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar MultiplyAdd(FloatBlockScalar left, FloatBlockScalar right, FloatBlockScalar addend)
    {
        FloatBlockScalar result = default;
        for (int lane = 0; lane < 8; lane++)
        {
            result._lanes[lane] = (left._lanes[lane] * right._lanes[lane]) + addend._lanes[lane];
        }

        return result;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar MultiplyAdd(FloatBlockScalar left, ref float source, nuint offset, FloatBlockScalar addend)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            addend._lanes[lane] += Unsafe.Add(ref source, offset + (nuint)lane) * left._lanes[lane];
        }

        return addend;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar Sigmoid(FloatBlockScalar x)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            x._lanes[lane] = Activations.Sigmoid(x._lanes[lane]);
        }

        return x;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar Tanh(FloatBlockScalar x)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            x._lanes[lane] = Activations.Tanh(x._lanes[lane]);
        }

        return x;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar Relu(FloatBlockScalar x)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            x._lanes[lane] = MathF.Min(MathF.Max(x._lanes[lane], 0f), Saturation.Limit);
        }

        return x;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar PositiveIndicator(FloatBlockScalar x)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            x._lanes[lane] = x._lanes[lane] > 0 ? 1f : 0f;
        }

        return x;
    }

    /// <inheritdoc/>
    public static float Sum(FloatBlockScalar x)
    {
        // The order of FloatBlock128.Sum: the halves added lane by lane, then Vector128.Sum's pairwise order (haddps
        // on x86, faddp on Arm), so this path's results stay bit-identical to the Vector128 one.
        float first = (x._lanes[0] + x._lanes[4]) + (x._lanes[1] + x._lanes[5]);
        float second = (x._lanes[2] + x._lanes[6]) + (x._lanes[3] + x._lanes[7]);
        return first + second;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar operator +(FloatBlockScalar left, FloatBlockScalar right)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            left._lanes[lane] += right._lanes[lane];
        }

        return left;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar operator -(FloatBlockScalar left, FloatBlockScalar right)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            left._lanes[lane] -= right._lanes[lane];
        }

        return left;
    }

    /// <inheritdoc/>
    public static FloatBlockScalar operator *(FloatBlockScalar left, FloatBlockScalar right)
    {
        for (int lane = 0; lane < 8; lane++)
        {
            left._lanes[lane] *= right._lanes[lane];
        }

        return left;
    }

    [InlineArray(8)]
    private struct Lanes8
    {
        private float _element;
    }
}
