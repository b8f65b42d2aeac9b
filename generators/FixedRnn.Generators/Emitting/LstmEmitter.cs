using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>Emits an LSTM layer's step and its backward pass: PyTorch's gates i, f, g, o.</summary>
internal static class LstmEmitter
{
    public static void Emit(SourceWriter writer, LayerLayout layer)
    {
        KernelWriter.SinglePassKernel(
            writer,
            layer,
            $"Layer {layer.Index}, {layer.Spec.Describe()}: advances h and c by one step.",
            "ref float weights, ref float input, ref float hidden, ref float cell, ref float gates",
            blocks =>
            {
                for (int block = 0; block < blocks; block++)
                {
                    using (KernelWriter.BlockScope(writer, block, "c = f*c + i*g; h = o*tanh(c)."))
                    {
                        writer.Line($"TBlock inputGate = TBlock.Sigmoid(i{block});");
                        writer.Line($"TBlock forgetGate = TBlock.Sigmoid(f{block});");
                        writer.Line($"TBlock candidate = TBlock.Tanh(g{block});");
                        writer.Line($"TBlock outputGate = TBlock.Sigmoid(o{block});");
                        writer.Line("TBlock c = TBlock.MultiplyAdd(forgetGate, TBlock.Load(ref cell, units), inputGate * candidate);");
                        writer.Line("TBlock.Store(c, ref cell, units);");
                        writer.Line("TBlock.Store(outputGate * TBlock.Tanh(c), ref next, units);");
                        KernelWriter.Record(writer, layer, block, "inputGate", "forgetGate", "candidate", "outputGate");
                    }
                }
            });
    }

    public static void EmitBackward(SourceWriter writer, LayerLayout layer, string inputSource, int inputStride, int downstreamStride)
    {
        RecurrentBackward.Emit(writer, layer, inputSource, inputStride, () => RecurrentBackward.StandardStep(writer, layer, downstreamStride, hiddenGradientAccumulates: false, elementwise: () =>
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
