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
        writer.Line("/// Loads Keras weights saved as safetensors under Keras' names (<c>lstm/lstm_cell/kernel:0</c>, or Keras 3's");
        writer.Line("/// <c>lstm/lstm_cell/kernel</c>), the layers named as a fresh Keras session names them (<c>lstm</c>, <c>lstm_1</c>,");
        writer.Line("/// <c>gru</c>, <c>simple_rnn</c>, <c>dense</c>, …). Kernels are transposed and gates reordered here. On failure the");
        writer.Line("/// parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file.</param>");
        writer.Line($"public void LoadKeras(string path) => LoadKeras({SafeTensorsFile}.Read(path), {Keras}.DefaultLayerNames(s_layerDescriptions));");
        writer.Line();
        writer.Line("/// <summary>Loads Keras weights saved as safetensors, layer k from the Keras layer named <paramref name=\"layerNames\"/>[k].</summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({layout.Layers.Count}).</param>");
        writer.Line($"public void LoadKeras(string path, params global::System.ReadOnlySpan<string> layerNames) => LoadKeras({SafeTensorsFile}.Read(path), layerNames);");
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
        writer.Line("/// Loads the weights of an ONNX model (as <c>torch.onnx.export</c> writes it): its LSTM, GRU and RNN nodes in");
        writer.Line("/// order, then a Gemm or MatMul + Add head. Gate orders are converted here; unsupported attributes are");
        writer.Line("/// rejected by name. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.onnx</c> file.</param>");
        writer.Line("public void LoadOnnx(string path) => LoadPyTorch(global::FixedRnn.Interop.OnnxWeights.ToPyTorch(path, s_layerDescriptions));");
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
