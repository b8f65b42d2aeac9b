using System;
using System.Numerics.Tensors;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Interop;

namespace FixedRnn.Benchmarks.Baselines;

/// <summary>
/// A runtime-size cell built on <see cref="TensorPrimitives"/>: one vectorized
/// <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> per gate row of the
/// PyTorch-layout weights, then vectorized bias adds, <see cref="TensorPrimitives.Sigmoid{T}(ReadOnlySpan{T}, Span{T})"/>,
/// <see cref="TensorPrimitives.Tanh{T}(ReadOnlySpan{T}, Span{T})"/> and element-wise products over
/// whole gate vectors. What one writes with the BCL's SIMD library and no code generation.
/// </summary>
public sealed class TensorPrimitivesCell : BaselineCell
{
    private readonly float[] _gi;
    private readonly float[] _gh;
    private readonly float[] _scratch;

    public TensorPrimitivesCell(CellKind kind, SafeTensorsFile weights)
        : base(kind, weights)
    {
        _gi = new float[Rows];
        _gh = new float[Rows];
        _scratch = new float[HiddenSize];
    }

    public override void Step(ReadOnlySpan<float> input)
    {
        int n = HiddenSize;
        ReadOnlySpan<float> wih = WeightIh;
        ReadOnlySpan<float> whh = WeightHh;
        Span<float> h = H;
        Span<float> c = C;
        Span<float> gi = _gi;
        Span<float> gh = _gh;
        Span<float> scratch = _scratch;

        for (int r = 0; r < Rows; r++)
        {
            gi[r] = TensorPrimitives.Dot(wih.Slice(r * InputSize, InputSize), input);
        }

        TensorPrimitives.Add(gi, BiasIh, gi);

        int recurrentRows = Kind == CellKind.GruResetBefore ? 2 * n : Rows;
        for (int r = 0; r < recurrentRows; r++)
        {
            gh[r] = TensorPrimitives.Dot(whh.Slice(r * n, n), h);
        }

        TensorPrimitives.Add(gh[..recurrentRows], BiasHh.AsSpan(0, recurrentRows), gh[..recurrentRows]);

        switch (Kind)
        {
            case CellKind.Lstm:
            {
                TensorPrimitives.Add(gi, gh, gi);
                Span<float> i = gi[..n], f = gi.Slice(n, n), g = gi.Slice(2 * n, n), o = gi.Slice(3 * n, n);
                TensorPrimitives.Sigmoid(gi[..(2 * n)], gi[..(2 * n)]);
                TensorPrimitives.Tanh(g, g);
                TensorPrimitives.Sigmoid(o, o);
                TensorPrimitives.Multiply(i, g, scratch);            // i*g
                TensorPrimitives.MultiplyAdd(f, c, scratch, c);      // c = f*c + i*g
                TensorPrimitives.Tanh(c, scratch);
                TensorPrimitives.Multiply(o, scratch, h);            // h = o*tanh(c)
                break;
            }

            case CellKind.Gru:
            {
                Span<float> rz = gi[..(2 * n)];
                TensorPrimitives.Add(rz, gh[..(2 * n)], rz);
                TensorPrimitives.Sigmoid(rz, rz);
                Span<float> r = gi[..n], z = gi.Slice(n, n), nGate = gi.Slice(2 * n, n);
                TensorPrimitives.MultiplyAdd(r, gh.Slice(2 * n, n), nGate, nGate);   // W_in x + b_in + r*(W_hn h + b_hn)
                TensorPrimitives.Tanh(nGate, nGate);
                UpdateGru(h, z, nGate, scratch);
                break;
            }

            case CellKind.GruResetBefore:
            {
                Span<float> rz = gi[..(2 * n)];
                TensorPrimitives.Add(rz, gh[..(2 * n)], rz);
                TensorPrimitives.Sigmoid(rz, rz);
                Span<float> r = gi[..n], z = gi.Slice(n, n), nGate = gi.Slice(2 * n, n);
                TensorPrimitives.Multiply(r, h, scratch);                            // r*h
                Span<float> hn = gh.Slice(2 * n, n);
                for (int j = 0; j < n; j++)
                {
                    hn[j] = TensorPrimitives.Dot(whh.Slice(((2 * n) + j) * n, n), scratch);
                }

                TensorPrimitives.Add(hn, BiasHh.AsSpan(2 * n, n), hn);
                TensorPrimitives.Add(nGate, hn, nGate);
                TensorPrimitives.Tanh(nGate, nGate);
                UpdateGru(h, z, nGate, scratch);
                break;
            }

            default:
                TensorPrimitives.Add(gi, gh, gi);
                TensorPrimitives.Tanh(gi, h);
                break;
        }
    }

    /// <summary>h = (1 - z)*n + z*h = n + z*(h - n).</summary>
    private static void UpdateGru(Span<float> h, ReadOnlySpan<float> z, ReadOnlySpan<float> n, Span<float> scratch)
    {
        TensorPrimitives.Subtract(h, n, scratch);
        TensorPrimitives.MultiplyAdd(z, scratch, n, h);
    }
}
