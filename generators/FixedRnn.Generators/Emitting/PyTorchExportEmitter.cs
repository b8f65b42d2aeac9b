using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits <c>ToPyTorch</c> and <c>SavePyTorch</c>: the packed parameters (or anything laid out like them,
/// such as gradients) back in PyTorch's names and layout. A folded bias goes to <c>bias_ih</c> with
/// <c>bias_hh</c> zero, which PyTorch computes identically and which loads back bit for bit.
/// </summary>
internal static class PyTorchExportEmitter
{
    private const string Writer = "global::FixedRnn.Interop.SafeTensorsWriter";
    private const string Names = "global::FixedRnn.Interop.PyTorchModuleNames";
    private const string Packing = "global::FixedRnn.Numerics.PackedLayout";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        writer.Line("/// <summary>Saves the parameters as a PyTorch <c>state_dict</c> in safetensors, layer k under <c>layers.{k}.</c>, the names <see cref=\"LoadPyTorch(string)\"/> reads.</summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file to write; written whole or not at all.</param>");
        writer.Line($"public void SavePyTorch(string path) => ToPyTorch(Parameters, {Names}.ModuleList(LayerCount)).Save(path);");
        writer.Line();
        writer.Line("/// <summary>Saves the parameters as a PyTorch <c>state_dict</c>, layer k under module <paramref name=\"modules\"/>[k].</summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file to write; written whole or not at all.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}); consecutive equal names become one multi-layer module.</param>");
        writer.Line("public void SavePyTorch(string path, params global::System.ReadOnlySpan<string> modules) => ToPyTorch(Parameters, modules).Save(path);");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Unpacks <paramref name=\"packed\"/> (the parameters, or gradients laid out like them) into PyTorch's");
        writer.Line("/// tensors: <c>nn.LSTM/GRU/RNN</c> keys <c>{module}.weight_ih_l{i}</c> … and <c>nn.Linear</c> keys");
        writer.Line("/// <c>{module}.weight</c>, <c>{module}.bias</c>. Folded biases go to <c>bias_ih</c>, with <c>bias_hh</c> zero.");
        writer.Line("/// </summary>");
        writer.Line($"/// <param name=\"packed\"><see cref=\"ParameterCount\"/> floats in the layout of <see cref=\"Parameters\"/>.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}).</param>");
        writer.Line("/// <returns>A writer holding the tensors, ready to save.</returns>");
        using (writer.Block($"public static {Writer} ToPyTorch(global::System.ReadOnlySpan<float> packed, params global::System.ReadOnlySpan<string> modules)"))
        {
            using (writer.Block("if (packed.Length != ParameterCount)"))
            {
                writer.Line("throw new global::System.ArgumentException($\"Expected {ParameterCount} floats, got {packed.Length}.\", nameof(packed));");
            }

            writer.Line();
            writer.Line($"{Names} names = new(modules, LayerCount);");
            writer.Line($"{Writer} tensors = new();");
            foreach (LayerLayout layer in layout.Layers)
            {
                writer.Line();
                EmitLayer(writer, layer);
            }

            writer.Line();
            writer.Line("return tensors;");
        }
    }

    private static void EmitLayer(SourceWriter writer, LayerLayout layer)
    {
        int rows = layer.SourceGates * layer.Spec.Size;
        writer.Line($"// Layer {layer.Index}, {layer.Spec.Describe()}.");
        using (writer.Block())
        {
            bool recurrent = layer.Spec.IsRecurrent;
            string weightIh = recurrent ? "weight_ih" : "weight";
            writer.Line($"float[] {weightIh} = new float[{rows * layer.Spec.InputSize}];");
            if (recurrent)
            {
                writer.Line($"float[] weight_hh = new float[{rows * layer.Spec.Size}];");
                writer.Line($"float[] bias_ih = new float[{rows}];");
                writer.Line($"float[] bias_hh = new float[{rows}];");
            }
            else
            {
                writer.Line($"float[] bias = new float[{rows}];");
            }

            foreach (WeightSegment segment in KernelWriter.Segments(layer))
            {
                string gates = string.Join(", ", segment.SourceGates);
                writer.Line($"{Packing}.UnpackGates(packed.Slice({segment.Offset}, {segment.Length(layer.Blocks)}), hidden: {layer.Spec.Size}, columns: {segment.Rows}, sourceGates: [{gates}], {segment.Tensor});");
            }

            writer.Line($"global::System.ReadOnlySpan<float> packedBias = packed.Slice({layer.Bias}, {layer.Blocks * layer.BiasSlots * LayerLayout.Lanes});");
            var filled = new HashSet<int>();
            foreach (BiasTerm term in layer.BiasTerms.Where(term => filled.Add(term.Slot)))
            {
                writer.Line($"{Packing}.UnpackBias(packedBias, hidden: {layer.Spec.Size}, sourceGate: {term.SourceGate}, slot: {term.Slot}, slots: {layer.BiasSlots}, {term.Tensor});");
            }

            if (recurrent)
            {
                writer.Line($"tensors.Add(names.Recurrent({layer.Index}, \"weight_ih\"), weight_ih, {rows}, {layer.Spec.InputSize});");
                writer.Line($"tensors.Add(names.Recurrent({layer.Index}, \"weight_hh\"), weight_hh, {rows}, {layer.Spec.Size});");
                writer.Line($"tensors.Add(names.Recurrent({layer.Index}, \"bias_ih\"), bias_ih, {rows});");
                writer.Line($"tensors.Add(names.Recurrent({layer.Index}, \"bias_hh\"), bias_hh, {rows});");
            }
            else
            {
                writer.Line($"tensors.Add(names.Linear({layer.Index}, \"weight\"), weight, {rows}, {layer.Spec.InputSize});");
                writer.Line($"tensors.Add(names.Linear({layer.Index}, \"bias\"), bias, {rows});");
            }
        }
    }
}
