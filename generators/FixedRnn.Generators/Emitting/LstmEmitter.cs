using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits an LSTM layer's step and its backward pass: PyTorch's gates i, f, g, o.</summary>
internal static class LstmEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer, bool projected = false)
    {
        KernelWriter.SinglePassKernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h and c by one step.",
            "ref float weights, ref float input, ref float hidden, ref float cell, ref float gates",
            blocks => KernelWriter.BlockGroups(writer, blocks, "c = f*c + i*g; h = o*tanh(c).", group =>
            {
                group.Activate("Sigmoid", "inputGate", block => $"i{block}");
                group.Activate("Sigmoid", "forgetGate", block => $"f{block}");
                group.Activate("Tanh", "candidate", block => $"g{block}");
                group.Activate("Sigmoid", "outputGate", block => $"o{block}");
                group.Each((block, units) => $"TBlock c{block} = TBlock.MultiplyAdd(forgetGate{block}, TBlock.Load(ref cell, {units}), inputGate{block} * candidate{block});");
                group.Each((block, units) => $"TBlock.Store(c{block}, ref cell, {units});");
                group.Activate("Tanh", "tanhCell", block => $"c{block}");
                group.Each((block, units) => $"TBlock.Store(outputGate{block} * tanhCell{block}, ref next, {units});");
                foreach (int block in group.Blocks)
                {
                    KernelWriter.Record(writer, layer, block, $"inputGate{block}", $"forgetGate{block}", $"candidate{block}", $"outputGate{block}");
                }
            }),
            projected);
    }

    public static void EmitBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride)
    {
        RecurrentBackward.Emit(writer, layer, inputSource, inputStride, () => RecurrentBackward.StandardStep(writer, layer, inputStride, hiddenGradientAccumulates: false, elementwise: () =>
        {
            writer.Line("TBlock inputGate = TBlock.Load(ref stepGates, record);");
            writer.Line("TBlock forgetGate = TBlock.Load(ref stepGates, record + 8);");
            writer.Line("TBlock candidate = TBlock.Load(ref stepGates, record + 16);");
            writer.Line("TBlock outputGate = TBlock.Load(ref stepGates, record + 24);");
            writer.Line("TBlock tanhCell = TBlock.Tanh(TBlock.Load(ref cellAfter, units));");
            writer.Line("TBlock dh = TBlock.Load(ref stepUpstream, units) + TBlock.Load(ref hiddenGradient, units);");
            writer.Line("// dc collects the path through h = o*tanh(c) and the one from the next step's c.");
            writer.Line("TBlock dc = TBlock.MultiplyAdd(dh * outputGate, one - (tanhCell * tanhCell), TBlock.Load(ref cellGradient, units));");
            writer.Line("TBlock.Store(dc * forgetGate, ref cellGradient, units);");
            writer.Line("TBlock.Store(dc * candidate * inputGate * (one - inputGate), ref stepGradients, slots);");
            writer.Line("TBlock.Store(dc * TBlock.Load(ref cellBefore, units) * forgetGate * (one - forgetGate), ref stepGradients, slots + 8);");
            writer.Line("TBlock.Store(dc * inputGate * (one - (candidate * candidate)), ref stepGradients, slots + 16);");
            writer.Line("TBlock.Store(dh * tanhCell * outputGate * (one - outputGate), ref stepGradients, slots + 24);");
        }));
    }
}
