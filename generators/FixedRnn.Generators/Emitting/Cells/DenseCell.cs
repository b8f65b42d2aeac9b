using System;
using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;
using FixedRnn.Numerics;
using FixedRnn.Training;

namespace FixedRnn.Generators.Emitting.Cells;

/// <summary>The Dense head, <c>y = act(W h + b)</c> as PyTorch's <c>nn.Linear</c> plus an activation: the model's last layer, no state.</summary>
internal sealed class DenseCell : Cell
{
    private static readonly DenseCell[] Forms = Enum.GetValues(typeof(Activation)).Cast<Activation>().Select(activation => new DenseCell(activation)).ToArray();

    private static readonly Accumulator[] Output = { new("y", "Output") };

    private static readonly SegmentShape[] Weights =
    {
        new("InputWeights", "W h", SegmentSource.Input, new[] { 0 }.ToEquatableArray(), "weight", new[] { 0 }.ToEquatableArray()),
    };

    private static readonly BiasTerm[] Bias = { new("bias", SourceGate: 0, Slot: 0) };

    private static readonly string[] Recorded = { "Output" };

    private readonly Activation _activation;

    private DenseCell(Activation activation) => _activation = activation;

    public static DenseCell Of(Activation activation) => Forms[(int)activation];

    public override LayerKind Kind => LayerKind.Dense;

    public override Activation Activation => _activation;

    public override string Title => $"Dense ({RnnCell.Name(_activation)})";

    public override bool IsRecurrent => false;

    public override string Equations => _activation == Activation.Identity ? "y = W h + b." : $"y = {RnnCell.Name(_activation)}(W h + b).";

    public override int SourceGates => 1;

    public override IReadOnlyList<Accumulator> Accumulators => Output;

    public override IReadOnlyList<SegmentShape> Segments => Weights;

    public override IReadOnlyList<BiasTerm> BiasTerms => Bias;

    public override IReadOnlyList<(string Name, string Symbol)> StateVectors => Array.Empty<(string, string)>();

    public override IReadOnlyList<string> TraceSlots => Recorded;

    public override string TraceDescription => "The activated output y";

    public override PyTorchModule Module => PyTorchModule.Linear;

    public override string PackingNote => "nn.Linear's weight [out, in] and bias.";

    public override IReadOnlyList<PyTorchTensor> PyTorchTensors(LayerPlan layer) => new[]
    {
        new PyTorchTensor("weight", new[] { layer.Size, layer.InputSize }.ToEquatableArray()),
        new PyTorchTensor("bias", new[] { layer.Size }.ToEquatableArray()),
    };

    public override string Initializer(LayerPlan layer, PyTorchTensor tensor)
        => $"Initializers.CreateDenseTensor(scheme, inputSize: {layer.InputSize}, outputSize: {layer.Size}, \"{tensor.Name}\", random)";

    public override string StepSummary(LayerPlan layer) => $"writes the model's {layer.Size} outputs";

    public override void WriteStep(SourceWriter writer, LayerPlan layer, StepVariant variant)
        => KernelWriter.StepKernel(writer, layer, variant, layer.Segments, () =>
        {
            KernelWriter.StackScratch(writer, "padded", layer.PaddedSize, "Whole blocks are computed here; only the real outputs are copied out.");
            writer.Line();
            KernelWriter.Tiles(writer, layer.StepTiles, layer.Size, blocks =>
            {
                KernelWriter.AccumulatorsFromBias(writer, layer, blocks, new[] { 0 });
                KernelWriter.MultiplyAccumulate(writer, layer, layer.InputWeights, "input", blocks);
                writer.Line($"// y = {RnnCell.Name(_activation)}(W h + b) for each block of the tile.");
                for (int block = 0; block < blocks; block++)
                {
                    writer.Line($"TBlock y{block}Activated = {KernelWriter.Activate(_activation, $"y{block}")};");
                    writer.Line($"TBlock.Store(y{block}Activated, ref padded, {KernelWriter.Units(block)});");
                    KernelWriter.Record(writer, layer, block, firstSlot: 0, $"y{block}Activated");
                }
            });
            writer.Line();
            writer.Line($"paddedBuffer.Slice(0, {layer.Size}).CopyTo(MemoryMarshal.CreateSpan(ref output, {layer.Size}));");
        });

    public override void WriteBackward(SourceWriter writer, LayerPlan layer, BackwardContext context)
    {
        int size = layer.Size;
        RecurrentBackward.BackwardKernel(
            writer,
            layer,
            "Backward",
            $"Backward through layer {layer.Index}, {layer.Describe()}: from dL/dy, the gradients of its pre-activations and of the h below.",
            $"ref float weights, ref float gradients, {context.TraceType} trace, NInt steps, ref float outputGradients, ref float downstream",
            () =>
            {
                writer.Line($"ref float outputs = ref MemoryMarshal.GetArrayDataReference(trace[Gates{layer.Index}]);");
                writer.Line($"ref float gateGradients = ref MemoryMarshal.GetArrayDataReference(trace[GateGradients{layer.Index}]);");
                writer.Line($"ref float features = ref {context.InputSource};");
                if (_activation is Activation.Tanh or Activation.Sigmoid)
                {
                    writer.Line("TBlock one = TBlock.Broadcast(1f);");
                }

                writer.Line();
                using (writer.Block("for (NInt t = 0; t < steps; t++)"))
                {
                    writer.Line($"ref float stepGradients = ref Unsafe.Add(ref gateGradients, t * {layer.GradientStride});");
                    writer.Line($"ref float stepOutputs = ref Unsafe.Add(ref outputs, t * {layer.RecordStride});");
                    writer.Line("// dL/dy into whole blocks; the padding lanes stay zero.");
                    writer.Line($"MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref outputGradients, t * {size}), {size})");
                    writer.Indent();
                    writer.Line($".CopyTo(MemoryMarshal.CreateSpan(ref stepGradients, {size}));");
                    writer.Unindent();
                    if (_activation != Activation.Identity)
                    {
                        writer.Line($"// Through the activation: dL/d(W h + b) = dL/dy · {Derivative("y")}.");
                        using (writer.Block($"for (NUInt units = 0; units < {layer.PaddedSize}; units += {Block.Lanes})"))
                        {
                            writer.Line("TBlock y = TBlock.Load(ref stepOutputs, units);");
                            writer.Line($"TBlock.Store(TBlock.Load(ref stepGradients, units) * {Derivative("y")}, ref stepGradients, units);");
                        }
                    }

                    writer.Line($"ref float stepDownstream = ref Unsafe.Add(ref downstream, t * {context.InputStride});");
                    BackwardWriter.TransposedProduct(writer, layer, layer.InputWeights, "dh", "stepGradients", "stepDownstream", accumulate: false);
                }

            });

        var gradients = new GradientRows("gateGradients", $"MemoryMarshal.GetArrayDataReference(trace[GateGradients{layer.Index}])", layer.GradientStride);
        writer.Line();
        BackwardWriter.WeightGradientsKernel(writer, layer, () =>
        {
            BackwardWriter.WeightGradient(writer, layer, layer.InputWeights, new GradientRows("features", context.InputSource, context.InputStride), gradients);
            BackwardWriter.BiasGradient(writer, layer, gradients);
        });
    }

    private string Derivative(string y) => _activation switch
    {
        Activation.Tanh => $"(one - ({y} * {y}))",
        Activation.Sigmoid => $"({y} * (one - {y}))",
        Activation.Relu => $"TBlock.PositiveIndicator({y})",
        _ => "one",
    };
}
