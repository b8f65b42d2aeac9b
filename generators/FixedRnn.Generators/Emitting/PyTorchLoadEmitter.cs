using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits <c>LoadPyTorch</c>: reads a PyTorch state_dict saved as safetensors and packs it into the
/// kernels' layout. Everything is staged in a new buffer first, so a failure leaves the model unchanged.
/// </summary>
internal static class PyTorchLoadEmitter
{
    private const string SafeTensorsFile = "global::FixedRnn.Interop.SafeTensorsFile";
    private const string PyTorchFile = "global::FixedRnn.Interop.PyTorchFile";
    private const string StateDict = "global::FixedRnn.Interop.PyTorchStateDict";
    private const string Packing = "global::FixedRnn.Numerics.PackedLayout";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        string defaultModules = string.Join(", ", layout.Layers.Select(layer => $"\"layers.{layer.Index}\""));
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> saved with <c>torch.save</c> (<c>.pt</c>, <c>.pth</c>) or as safetensors, the format");
        writer.Line("/// read from the file's content, with layer k under <c>layers.{k}.</c> (an <c>nn.ModuleList</c> of single-layer");
        writer.Line("/// <c>nn.LSTM</c>/<c>GRU</c>/<c>RNN</c>, their <c>*Cell</c> variants, and <c>nn.Linear</c> for Dense). Strict, like");
        writer.Line("/// PyTorch's <c>load_state_dict</c>: every tensor of the file must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.pt</c>, <c>.pth</c> or <c>.safetensors</c> file.</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point, or the file is not one of the formats; the message names it.</exception>");
        writer.Line($"public void LoadPyTorch(string path) => LoadPyTorch({PyTorchFile}.Read(path), {defaultModules});");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> (<c>torch.save</c> or safetensors), reading layer k from the module named");
        writer.Line("/// <paramref name=\"modules\"/>[k]. Consecutive layers that name the same module read its");
        writer.Line("/// consecutive layers: <c>(\"lstm\", \"lstm\", \"fc\")</c> reads <c>lstm.*_l0</c>, <c>lstm.*_l1</c>");
        writer.Line("/// and <c>fc.weight</c>. Strict: every tensor of the file must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.pt</c>, <c>.pth</c> or <c>.safetensors</c> file.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}).</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point, or the file is not one of the formats; the message names it.</exception>");
        writer.Line("public void LoadPyTorch(string path, params global::System.ReadOnlySpan<string> modules)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({PyTorchFile}.Read(path), modules);");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> (<c>torch.save</c> or safetensors); with <paramref name=\"strict\"/> false, tensors the");
        writer.Line("/// model does not read (optimizer state, other heads) are ignored, as with <c>load_state_dict(strict=False)</c>, but every");
        writer.Line("/// tensor the model needs must still be there. No <paramref name=\"modules\"/> means layer k under <c>layers.{k}.</c>.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.pt</c>, <c>.pth</c> or <c>.safetensors</c> file.</param>");
        writer.Line("/// <param name=\"strict\">Whether every tensor of the file must be used.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}), or none.</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point, or the file is not one of the formats; the message names it.</exception>");
        writer.Line("public void LoadPyTorch(string path, bool strict, params global::System.ReadOnlySpan<string> modules)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({PyTorchFile}.Read(path), strict, modules);");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read, with layer k under <c>layers.{k}.</c>; see <see cref=\"LoadPyTorch(string)\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point; the message names it.</exception>");
        writer.Line($"public void LoadPyTorch({SafeTensorsFile} tensors) => LoadPyTorch(tensors, {defaultModules});");
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read; see <see cref=\"LoadPyTorch(string, global::System.ReadOnlySpan{string})\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}).</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point; the message names it.</exception>");
        writer.Line($"public void LoadPyTorch({SafeTensorsFile} tensors, params global::System.ReadOnlySpan<string> modules) => LoadPyTorch(tensors, strict: true, modules);");
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read; see <see cref=\"LoadPyTorch(string, bool, global::System.ReadOnlySpan{string})\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line("/// <param name=\"strict\">Whether every tensor of the file must be used.</param>");
        writer.Line($"/// <param name=\"modules\">One module name per layer ({layout.Layers.Count}), or none for <c>layers.{{k}}</c>.</param>");
        writer.Line("/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point; the message names it.</exception>");
        using (writer.Block($"public void LoadPyTorch({SafeTensorsFile} tensors, bool strict, params global::System.ReadOnlySpan<string> modules)"))
        {
            writer.Line($"{StateDict} stateDict = new(tensors, modules, s_layerDescriptions, strict);");
            writer.Line("float[] staged = new float[ParameterCount];");
            foreach (LayerLayout layer in layout.Layers)
            {
                writer.Line();
                EmitLayer(writer, layer);
            }

            writer.Line();
            writer.Line("stateDict.EnsureEveryTensorUsed();");
            writer.Line("global::System.MemoryExtensions.AsSpan(staged).CopyTo(Parameters);");
        }
    }

    private static void EmitLayer(SourceWriter writer, LayerLayout layer)
    {
        int rows = layer.SourceGates * layer.Spec.Size;
        writer.Line($"// Layer {layer.Index}, {layer.Spec.Describe()}: {GateNote(layer)}");
        using (writer.Block())
        {
            if (layer.Spec.IsRecurrent)
            {
                writer.Line($"float[] weight_ih = stateDict.Recurrent({layer.Index}, \"weight_ih\", {rows}, {layer.Spec.InputSize});");
                writer.Line($"float[] weight_hh = stateDict.Recurrent({layer.Index}, \"weight_hh\", {rows}, {layer.Spec.Size});");
                writer.Line($"float[] bias_ih = stateDict.Recurrent({layer.Index}, \"bias_ih\", {rows});");
                writer.Line($"float[] bias_hh = stateDict.Recurrent({layer.Index}, \"bias_hh\", {rows});");
            }
            else
            {
                writer.Line($"float[] weight = stateDict.Linear({layer.Index}, \"weight\", {layer.Spec.Size}, {layer.Spec.InputSize});");
                writer.Line($"float[] bias = stateDict.Linear({layer.Index}, \"bias\", {layer.Spec.Size});");
            }

            foreach (WeightSegment segment in KernelWriter.Segments(layer))
            {
                string gates = string.Join(", ", segment.SourceGates);
                writer.Line($"{Packing}.PackGates({segment.Tensor}, hidden: {layer.Spec.Size}, columns: {segment.Rows}, sourceGates: [{gates}], new global::System.Span<float>(staged, {segment.Offset}, {segment.Length(layer.Blocks)}));");
            }

            writer.Line($"global::System.Span<float> packedBias = new(staged, {layer.Bias}, {layer.Blocks * layer.BiasSlots * LayerLayout.Lanes});");
            foreach (BiasTerm term in layer.BiasTerms)
            {
                writer.Line($"{Packing}.AddBias({term.Tensor}, hidden: {layer.Spec.Size}, sourceGate: {term.SourceGate}, slot: {term.Slot}, slots: {layer.BiasSlots}, packedBias);");
            }
        }

    }

    private static string GateNote(LayerLayout layer) => layer.Spec.Kind switch
    {
        LayerKind.Lstm => "gates i, f, g, o in PyTorch's order; b_ih + b_hh fold into one bias.",
        LayerKind.Gru when layer.Spec.ResetAfter => "gates r, z, n; b_hn stays apart from b_in because r scales it.",
        LayerKind.Gru => "gates r, z, n; W_hn is packed on its own for the second pass, and b_in + b_hn fold.",
        LayerKind.Rnn => "b_ih + b_hh fold into one bias.",
        _ => "nn.Linear's weight [out, in] and bias.",
    };
}
