using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>
/// What the recurrent cells share because PyTorch's <c>nn.LSTM</c>, <c>nn.GRU</c> and <c>nn.RNN</c> share it: the
/// parameters <c>weight_ih</c>, <c>weight_hh</c>, <c>bias_ih</c>, <c>bias_hh</c> with the gates stacked, the two
/// biases of a gate adding into one accumulator, and h as the state passed up.
/// </summary>
internal abstract class RecurrentCell : Cell
{
    private static readonly (string Name, string Symbol)[] HiddenOnly = { ("Hidden", "h") };

    public override bool IsRecurrent => true;

    public override IReadOnlyList<(string Name, string Symbol)> StateVectors => HiddenOnly;

    public override PyTorchModule Module => PyTorchModule.Recurrent;

    public override IReadOnlyList<BiasTerm> BiasTerms
        => Enumerable.Range(0, SourceGates).SelectMany(gate => new[] { new BiasTerm("bias_ih", gate, gate), new BiasTerm("bias_hh", gate, BiasHiddenSlot(gate)) }).ToArray();

    /// <summary>The bias slot that gate <paramref name="gate"/> of <c>bias_hh</c> adds into: its own gate's, unless the cell keeps it apart.</summary>
    protected virtual int BiasHiddenSlot(int gate) => gate;

    public override IReadOnlyList<PyTorchTensor> PyTorchTensors(LayerPlan layer)
    {
        int rows = SourceGates * layer.Size;
        return new[]
        {
            new PyTorchTensor("weight_ih", new[] { rows, layer.InputSize }.ToEquatableArray()),
            new PyTorchTensor("weight_hh", new[] { rows, layer.HiddenWidth }.ToEquatableArray()),
            new PyTorchTensor("bias_ih", new[] { rows }.ToEquatableArray()),
            new PyTorchTensor("bias_hh", new[] { rows }.ToEquatableArray()),
        };
    }

    /// <summary>The gate whose Keras bias starts at one (<c>unit_forget_bias</c>), if the cell has one.</summary>
    protected virtual int? UnitBiasGate => null;

    public override string Initializer(LayerPlan layer, PyTorchTensor tensor)
        => $"Initializers.CreateRecurrentTensor(scheme, gates: {SourceGates}, inputSize: {layer.InputSize}, hiddenSize: {layer.Size}, \"{tensor.Name}\", unitBiasGate: {(UnitBiasGate is int gate ? gate.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}, random)";

    /// <summary>The input segment: every gate of <c>weight_ih</c>, in order, each feeding the accumulator of its index.</summary>
    protected SegmentShape InputSegment() => new("InputWeights", "W_ih x", SegmentSource.Input, Gates(SourceGates), "weight_ih", Gates(SourceGates));

    /// <summary>The recurrent segment: gates <paramref name="sourceGates"/> of <c>weight_hh</c> feeding accumulators <paramref name="targets"/>.</summary>
    protected static SegmentShape RecurrentSegment(int[] targets, int[] sourceGates)
        => new("RecurrentWeights", "W_hh h", SegmentSource.Hidden, targets.ToEquatableArray(), "weight_hh", sourceGates.ToEquatableArray());

    protected static EquatableArray<int> Gates(int count) => Enumerable.Range(0, count).ToEquatableArray();
}
