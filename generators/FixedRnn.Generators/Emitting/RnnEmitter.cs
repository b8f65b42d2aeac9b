using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits a vanilla RNN layer's step, <c>h = act(W_ih x + b_ih + W_hh h + b_hh)</c>, and its backward pass.</summary>
internal static class RnnEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer, bool projected = false)
    {
        string activation = layer.Spec.Activation.ToString().ToLowerInvariant();
        KernelWriter.SinglePassKernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h by one step.",
            "ref float weights, ref float input, ref float hidden",
            blocks =>
            {
                if (layer.Spec.Activation == Activation.Tanh)
                {
                    KernelWriter.BlockGroups(writer, blocks, "h = tanh(a).", group =>
                    {
                        group.Activate("Tanh", "h", block => $"a{block}");
                        group.Each((block, units) => $"TBlock.Store(h{block}, ref next, {units});");
                    });
                    return;
                }

                writer.Line($"// h = {activation}(a) for each block of the tile.");
                for (int block = 0; block < blocks; block++)
                {
                    writer.Line($"TBlock.Store({KernelWriter.Activate(layer.Spec.Activation, $"a{block}")}, ref next, (block + {block}) * 8);");
                }
            },
            projected);
    }

    public static void EmitBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        RecurrentBackward.Emit(writer, layer, inputSource, inputStride, () => RecurrentBackward.StandardStep(writer, layer, inputStride, hiddenGradientAccumulates: false, elementwise: () =>
        {
            writer.Line("TBlock h = TBlock.Load(ref hiddenAfter, units);");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line(layer.Spec.Activation == Activation.Relu
                ? "TBlock.Store(dh * TBlock.PositiveIndicator(h), ref stepGradients, slots); // relu'(a) = [h > 0]"
                : "TBlock.Store(dh * (one - (h * h)), ref stepGradients, slots); // tanh'(a) = 1 - h²");
        }));
    }
}
