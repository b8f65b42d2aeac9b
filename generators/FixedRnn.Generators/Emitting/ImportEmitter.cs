using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits <c>LoadKeras</c> and <c>LoadOnnx</c>: the runtime's importers turn those formats into a PyTorch
/// state_dict in memory (gate reordering and transposes included), which the PyTorch loader packs, so
/// every format shares one validated, all-or-nothing path.
/// </summary>
internal static class ImportEmitter
{
    private const string Description = "global::FixedRnn.Interop.LayerDescription";
    private const string SafeTensorsFile = "global::FixedRnn.Interop.SafeTensorsFile";
    private const string Keras = "global::FixedRnn.Interop.KerasWeights";
    private const string KerasFile = "global::FixedRnn.Interop.KerasFile";

    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        string layers = string.Join(", ", layout.Layers.Select(layer =>
            $"new(global::FixedRnn.Training.LayerKind.{layer.Spec.Kind}, {layer.Spec.InputSize}, {layer.Spec.Size}, ResetAfter: {(layer.Spec.ResetAfter ? "true" : "false")}{ActivationArgument(layer.Spec)})"));
        writer.Line($"private static readonly {Description}[] s_layerDescriptions = [{layers}];");
        writer.Line();
        writer.Line("/// <summary>The layers as the importers see them: kind, input and output sizes, GRU form, RNN and Dense activation.</summary>");
        writer.Line($"public static global::System.ReadOnlySpan<{Description}> LayerDescriptions => s_layerDescriptions;");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a Keras model's weights from the file Keras users save: a Keras 3 <c>.keras</c> archive, a <c>.weights.h5</c>,");
        writer.Line("/// a Keras 2 <c>.h5</c> (<c>model.save</c> or <c>save_weights</c>), or safetensors under Keras' names; the format is read");
        writer.Line("/// from the content. Layers are taken in the file's order where it records one, else under the names a fresh Keras");
        writer.Line("/// session gives (<c>lstm</c>, <c>lstm_1</c>, <c>gru</c>, <c>simple_rnn</c>, <c>dense</c>, …). A saved configuration is checked");
        writer.Line("/// against this declaration. Strict: every layer weight must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c> or <c>.safetensors</c> file.</param>");
        writer.Line($"public void LoadKeras(string path) => LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), s_layerDescriptions));");
        writer.Line();
        writer.Line("/// <summary>Loads a Keras model's weights (see <see cref=\"LoadKeras(string)\"/>), layer k from the Keras layer named <paramref name=\"layerNames\"/>[k].</summary>");
        writer.Line("/// <param name=\"path\">The <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c> or <c>.safetensors</c> file.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({layout.Layers.Count}).</param>");
        writer.Line($"public void LoadKeras(string path, params global::System.ReadOnlySpan<string> layerNames) => LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), s_layerDescriptions, layerNames));");
        writer.Line();
        writer.Line("/// <summary>Loads a Keras model's weights (see <see cref=\"LoadKeras(string)\"/>); with <paramref name=\"strict\"/> false, layer weights the model does not read are ignored.</summary>");
        writer.Line("/// <param name=\"path\">The <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c> or <c>.safetensors</c> file.</param>");
        writer.Line("/// <param name=\"strict\">Whether every layer weight of the file must be used.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({layout.Layers.Count}), or none.</param>");
        writer.Line("public void LoadKeras(string path, bool strict, params global::System.ReadOnlySpan<string> layerNames)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), s_layerDescriptions, layerNames, options: null, strict));");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>Loads Keras weights already read from safetensors; <paramref name=\"options\"/> states the activations the Keras layers used.</summary>");
        writer.Line("/// <param name=\"tensors\">The Keras weights.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({layout.Layers.Count}).</param>");
        writer.Line("/// <param name=\"options\">The Keras layers' activations; <see langword=\"null\"/> for Keras' defaults.</param>");
        writer.Line($"public void LoadKeras({SafeTensorsFile} tensors, global::System.ReadOnlySpan<string> layerNames, global::FixedRnn.Interop.KerasOptions? options = null)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({Keras}.ToPyTorch(tensors, s_layerDescriptions, layerNames, options));");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads the weights of an ONNX model (as <c>torch.onnx.export</c> writes it) whose graph computes exactly this");
        writer.Line("/// model: its LSTM, GRU and RNN nodes in order, then a Gemm or MatMul + Add head and its activation, with the");
        writer.Line("/// exporters' shape plumbing between them; any other node is rejected by name, as is any unused initializer.");
        writer.Line("/// Gate orders are converted here. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.onnx</c> file.</param>");
        writer.Line("public void LoadOnnx(string path) => LoadPyTorch(global::FixedRnn.Interop.OnnxWeights.ToPyTorch(path, s_layerDescriptions));");
        writer.Line();
        writer.Line("/// <summary>Loads the weights of an ONNX model (see <see cref=\"LoadOnnx(string)\"/>); with <paramref name=\"strict\"/> false, initializers no computed node reads are ignored.</summary>");
        writer.Line("/// <param name=\"path\">The <c>.onnx</c> file.</param>");
        writer.Line("/// <param name=\"strict\">Whether every initializer must be read.</param>");
        writer.Line("public void LoadOnnx(string path, bool strict) => LoadPyTorch(global::FixedRnn.Interop.OnnxWeights.ToPyTorch(path, s_layerDescriptions, strict));");
    }

    /// <summary>The activation of an RNN or Dense layer when it is not the kind's default (tanh, identity).</summary>
    private static string ActivationArgument(LayerSpec spec)
    {
        Activation fallback = spec.Kind == LayerKind.Dense ? Activation.Identity : Activation.Tanh;
        return spec.Kind is LayerKind.Rnn or LayerKind.Dense && spec.Activation != fallback
            ? $", Activation: global::FixedRnn.Interop.LayerActivation.{spec.Activation}"
            : string.Empty;
    }
}
