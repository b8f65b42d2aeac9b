using System;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Interop;

namespace FixedRnn.Benchmarks.Baselines;

/// <summary>
/// The straightforward scalar implementation: runtime sizes, PyTorch layout, plain loops over float
/// arrays, <see cref="MathF.Exp"/> and <see cref="MathF.Tanh"/>. What one writes first.
/// </summary>
public sealed class NaiveCell : BaselineCell
{
    private readonly float[] _gi;
    private readonly float[] _gh;
    private readonly float[] _scratch;

    public NaiveCell(CellKind kind, SafeTensorsFile weights)
        : base(kind, weights)
    {
        _gi = new float[Rows];
        _gh = new float[Rows];
        _scratch = new float[HiddenSize];
    }

    public override void Step(ReadOnlySpan<float> input)
    {
        int inputSize = InputSize;
        int hiddenSize = HiddenSize;
        float[] wih = WeightIh;
        float[] whh = WeightHh;
        float[] bih = BiasIh;
        float[] bhh = BiasHh;
        float[] h = H;
        float[] c = C;
        float[] gi = _gi;
        float[] gh = _gh;

        // gi = W_ih x + b_ih, every gate row.
        for (int r = 0; r < Rows; r++)
        {
            float sum = bih[r];
            for (int k = 0; k < inputSize; k++)
            {
                sum += wih[(r * inputSize) + k] * input[k];
            }

            gi[r] = sum;
        }

        // gh = W_hh h + b_hh: every row, except the n rows of a reset-before GRU, which need r*h first.
        int recurrentRows = Kind == CellKind.GruResetBefore ? 2 * hiddenSize : Rows;
        for (int r = 0; r < recurrentRows; r++)
        {
            float sum = bhh[r];
            for (int k = 0; k < hiddenSize; k++)
            {
                sum += whh[(r * hiddenSize) + k] * h[k];
            }

            gh[r] = sum;
        }

        switch (Kind)
        {
            case CellKind.Lstm:
                for (int j = 0; j < hiddenSize; j++)
                {
                    float i = Sigmoid(gi[j] + gh[j]);
                    float f = Sigmoid(gi[hiddenSize + j] + gh[hiddenSize + j]);
                    float g = MathF.Tanh(gi[(2 * hiddenSize) + j] + gh[(2 * hiddenSize) + j]);
                    float o = Sigmoid(gi[(3 * hiddenSize) + j] + gh[(3 * hiddenSize) + j]);
                    c[j] = (f * c[j]) + (i * g);
                    h[j] = o * MathF.Tanh(c[j]);
                }

                break;

            case CellKind.Gru:
                for (int j = 0; j < hiddenSize; j++)
                {
                    float r = Sigmoid(gi[j] + gh[j]);
                    float z = Sigmoid(gi[hiddenSize + j] + gh[hiddenSize + j]);
                    float n = MathF.Tanh(gi[(2 * hiddenSize) + j] + (r * gh[(2 * hiddenSize) + j]));
                    h[j] = ((1 - z) * n) + (z * h[j]);
                }

                break;

            case CellKind.GruResetBefore:
                float[] resetHidden = _scratch;
                for (int j = 0; j < hiddenSize; j++)
                {
                    resetHidden[j] = Sigmoid(gi[j] + gh[j]) * h[j];
                }

                // n = tanh(W_in x + b_in + W_hn (r*h) + b_hn).
                for (int j = 0; j < hiddenSize; j++)
                {
                    int row = (2 * hiddenSize) + j;
                    float sum = bhh[row];
                    for (int k = 0; k < hiddenSize; k++)
                    {
                        sum += whh[(row * hiddenSize) + k] * resetHidden[k];
                    }

                    gh[row] = sum;
                }

                for (int j = 0; j < hiddenSize; j++)
                {
                    float z = Sigmoid(gi[hiddenSize + j] + gh[hiddenSize + j]);
                    float n = MathF.Tanh(gi[(2 * hiddenSize) + j] + gh[(2 * hiddenSize) + j]);
                    h[j] = ((1 - z) * n) + (z * h[j]);
                }

                break;

            default:
                for (int j = 0; j < hiddenSize; j++)
                {
                    h[j] = MathF.Tanh(gi[j] + gh[j]);
                }

                break;
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
