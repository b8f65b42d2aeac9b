using System;
using FixedRnn.Benchmarks.Models;
using FixedRnn.Interop;

namespace FixedRnn.Benchmarks.Baselines;

/// <summary>
/// A runtime-size recurrent cell holding its weights in PyTorch's layout: <c>weight_ih</c> is
/// <c>[G·H, I]</c>, <c>weight_hh</c> <c>[G·H, H]</c>, row-major, gates in PyTorch's order (LSTM i, f, g, o;
/// GRU r, z, n). The state (h, and c for LSTM) lives in the cell and is carried from step to step.
/// </summary>
public abstract class BaselineCell
{
    protected BaselineCell(CellKind kind, SafeTensorsFile weights, string module = "layers.0")
    {
        ArgumentNullException.ThrowIfNull(weights);
        Kind = kind;
        Gates = ModelCatalog.Gates(kind);
        SafeTensorInfo ih = weights.GetInfo($"{module}.weight_ih_l0");
        SafeTensorInfo hh = weights.GetInfo($"{module}.weight_hh_l0");
        Rows = checked((int)ih.Shape[0]);
        InputSize = checked((int)ih.Shape[1]);
        HiddenSize = checked((int)hh.Shape[1]);
        if (Rows != Gates * HiddenSize || hh.Shape[0] != Rows)
        {
            throw new ArgumentException($"{kind}: weight_ih is [{ih.Shape[0]}, {ih.Shape[1]}] and weight_hh [{hh.Shape[0]}, {hh.Shape[1]}]; expected {Gates}·H rows.", nameof(weights));
        }

        WeightIh = weights.ReadSingles($"{module}.weight_ih_l0");
        WeightHh = weights.ReadSingles($"{module}.weight_hh_l0");
        BiasIh = weights.ReadSingles($"{module}.bias_ih_l0");
        BiasHh = weights.ReadSingles($"{module}.bias_hh_l0");
        H = new float[HiddenSize];
        C = new float[HiddenSize];
    }

    public CellKind Kind { get; }

    public int Gates { get; }

    public int Rows { get; }

    public int InputSize { get; }

    public int HiddenSize { get; }

    /// <summary>The hidden state after the last step.</summary>
    public ReadOnlySpan<float> Hidden => H;

    protected float[] WeightIh { get; }

    protected float[] WeightHh { get; }

    protected float[] BiasIh { get; }

    protected float[] BiasHh { get; }

    protected float[] H { get; }

    protected float[] C { get; }

    /// <summary>Advances the carried state by one step.</summary>
    public abstract void Step(ReadOnlySpan<float> input);

    /// <summary>Returns to the zero state.</summary>
    public void Reset()
    {
        Array.Clear(H);
        Array.Clear(C);
    }
}
