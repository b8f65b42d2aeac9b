using System.Collections.Generic;
using System.Linq;
using FixedRnn.Generators.Emitting.Cells;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Planning;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Writes a model's interop file: <c>LoadPyTorch</c>, <c>SavePyTorch</c>/<c>ToPyTorch</c>, <c>LoadKeras</c>,
/// <c>LoadOnnx</c> and <c>Initialize</c> on the user's type, and in the file-local <c>{Model}Interop</c> class the
/// packing between PyTorch's tensors and the kernels' layout. Keras and ONNX files become a PyTorch state_dict in
/// the runtime (gate reordering and transposes included), and every format then shares one validated,
/// all-or-nothing packing path; <c>Initialize</c> draws PyTorch-layout tensors and packs them the same way.
/// </summary>
internal static class InteropEmitter
{
    private const string SafeTensorsFile = "global::FixedRnn.Interop.SafeTensorsFile";
    private const string SafeTensorsWriter = "global::FixedRnn.Interop.SafeTensorsWriter";
    private const string Keras = "global::FixedRnn.Interop.KerasWeights";
    private const string KerasFile = "global::FixedRnn.Interop.KerasFile";
    private const string PyTorchFile = "global::FixedRnn.Interop.PyTorchFile";
    private const string Description = "global::FixedRnn.Interop.LayerDescription";
    private const string Strings = "global::System.ReadOnlySpan<string>";

    public static string HelperClass(ModelPlan plan) => $"{plan.Name}Interop";

    public static string Emit(ModelPlan plan)
        => SourceFile.Write(
            plan,
            "its weight loading, export and initialization",
            writer => Members(writer, plan),
            HelperClass(plan),
            $"Packs PyTorch tensors into the layout of <c>{plan.FullName}</c>'s parameters and back.",
            writer => Helpers(writer, plan));

    private static void Members(SourceWriter writer, ModelPlan plan)
    {
        string helper = SourceFile.Helper(HelperClass(plan));
        string @params = plan.ParamsSpans ? "params " : string.Empty;
        string moduleList = "[" + string.Join(", ", plan.Layers.Select(layer => $"\"layers.{layer.Index}\"")) + "]";
        string layerCount = $"One per layer ({plan.Layers.Count})";
        const string WeightFormat = "/// <exception cref=\"global::FixedRnn.Interop.WeightFormatException\">A tensor is missing, unexpected, has the wrong shape or is not floating point, or the file is not one of the formats; the message names it.</exception>";

        writer.Line("/// <summary>The layers as the importers see them: kind, input and output sizes, GRU form, RNN and Dense activation.</summary>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public static global::System.ReadOnlySpan<{Description}> LayerDescriptions => {helper}.Layers;");
        writer.Line();
        const string Formats = "The <c>.pt</c>, <c>.pth</c> or <c>.safetensors</c> file.";
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> saved with <c>torch.save</c> (<c>.pt</c>, <c>.pth</c>) or as safetensors, the format");
        writer.Line("/// read from the file's content, with layer k under <c>layers.{k}.</c> (an <c>nn.ModuleList</c> of single-layer");
        writer.Line("/// <c>nn.LSTM</c>/<c>GRU</c>/<c>RNN</c>, their <c>*Cell</c> variants, and <c>nn.Linear</c> for Dense). Strict, like");
        writer.Line("/// PyTorch's <c>load_state_dict</c>: every tensor of the file must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line($"/// <param name=\"path\">{Formats}</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch(string path) => LoadPyTorch({PyTorchFile}.Read(path), {moduleList});");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> (<c>torch.save</c> or safetensors), reading layer k from the module named");
        writer.Line("/// <paramref name=\"modules\"/>[k]. Consecutive layers that name the same module read its");
        writer.Line("/// consecutive layers: <c>(\"lstm\", \"lstm\", \"fc\")</c> reads <c>lstm.*_l0</c>, <c>lstm.*_l1</c>");
        writer.Line("/// and <c>fc.weight</c>. Strict: every tensor of the file must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line($"/// <param name=\"path\">{Formats}</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}.</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch(string path, {@params}{Strings} modules) => LoadPyTorch({PyTorchFile}.Read(path), modules);");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads a PyTorch <c>state_dict</c> (<c>torch.save</c> or safetensors); with <paramref name=\"strict\"/> false, tensors the");
        writer.Line("/// model does not read (optimizer state, other heads) are ignored, as with <c>load_state_dict(strict=False)</c>, but every");
        writer.Line("/// tensor the model needs must still be there. No <paramref name=\"modules\"/> means layer k under <c>layers.{k}.</c>.");
        writer.Line("/// </summary>");
        writer.Line($"/// <param name=\"path\">{Formats}</param>");
        writer.Line("/// <param name=\"strict\">Whether every tensor of the file must be used.</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}, or none.</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch(string path, bool strict, {@params}{Strings} modules) => LoadPyTorch({PyTorchFile}.Read(path), strict, modules);");
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read, with layer k under <c>layers.{k}.</c>; see <see cref=\"LoadPyTorch(string)\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch({SafeTensorsFile} tensors) => LoadPyTorch(tensors, {moduleList});");
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read; see <see cref=\"LoadPyTorch(string, global::System.ReadOnlySpan{string})\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}.</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch({SafeTensorsFile} tensors, {@params}{Strings} modules) => LoadPyTorch(tensors, strict: true, modules);");
        writer.Line();
        writer.Line("/// <summary>Loads a PyTorch <c>state_dict</c> already read; see <see cref=\"LoadPyTorch(string, bool, global::System.ReadOnlySpan{string})\"/>.</summary>");
        writer.Line("/// <param name=\"tensors\">The state_dict's tensors.</param>");
        writer.Line("/// <param name=\"strict\">Whether every tensor of the file must be used.</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}, or none for <c>layers.{{k}}</c>.</param>");
        writer.Line(WeightFormat);
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadPyTorch({SafeTensorsFile} tensors, bool strict, {@params}{Strings} modules) => global::System.MemoryExtensions.AsSpan({helper}.Pack(tensors, modules, strict)).CopyTo(Parameters);");
        writer.Line();
        writer.Line("/// <summary>Saves the parameters as a PyTorch <c>state_dict</c> in safetensors, layer k under <c>layers.{k}.</c>, the names <see cref=\"LoadPyTorch(string)\"/> reads.</summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file to write; written whole or not at all.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void SavePyTorch(string path) => ToPyTorch(Parameters, {moduleList}).Save(path);");
        writer.Line();
        writer.Line("/// <summary>Saves the parameters as a PyTorch <c>state_dict</c>, layer k under module <paramref name=\"modules\"/>[k].</summary>");
        writer.Line("/// <param name=\"path\">The <c>.safetensors</c> file to write; written whole or not at all.</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}; consecutive equal names become one multi-layer module.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void SavePyTorch(string path, {@params}{Strings} modules) => ToPyTorch(Parameters, modules).Save(path);");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Unpacks <paramref name=\"packed\"/> (the parameters, or gradients laid out like them) into PyTorch's");
        writer.Line("/// tensors: <c>nn.LSTM/GRU/RNN</c> keys <c>{module}.weight_ih_l{i}</c> … and <c>nn.Linear</c> keys");
        writer.Line("/// <c>{module}.weight</c>, <c>{module}.bias</c>. Folded biases go to <c>bias_ih</c>, with <c>bias_hh</c> zero.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"packed\"><see cref=\"ParameterCount\"/> floats in the layout of <see cref=\"Parameters\"/>.</param>");
        writer.Line($"/// <param name=\"modules\">{layerCount}.</param>");
        writer.Line("/// <returns>A writer holding the tensors, ready to save.</returns>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public static {SafeTensorsWriter} ToPyTorch(global::System.ReadOnlySpan<float> packed, {@params}{Strings} modules) => {helper}.Unpack(packed, modules);");
        writer.Line();
        const string KerasFormats = "The <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c> or <c>.safetensors</c> file.";
        writer.Line("/// <summary>");
        writer.Line("/// Loads a Keras model's weights from the file Keras users save: a Keras 3 <c>.keras</c> archive, a <c>.weights.h5</c>,");
        writer.Line("/// a Keras 2 <c>.h5</c> (<c>model.save</c> or <c>save_weights</c>), or safetensors under Keras' names; the format is read");
        writer.Line("/// from the content. Layers are taken in the file's order where it records one, else under the names a fresh Keras");
        writer.Line("/// session gives (<c>lstm</c>, <c>lstm_1</c>, <c>gru</c>, <c>simple_rnn</c>, <c>dense</c>, …). A saved configuration is checked");
        writer.Line("/// against this declaration. Strict: every layer weight must be used. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line($"/// <param name=\"path\">{KerasFormats}</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadKeras(string path) => LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), {helper}.Layers));");
        writer.Line();
        writer.Line("/// <summary>Loads a Keras model's weights (see <see cref=\"LoadKeras(string)\"/>), layer k from the Keras layer named <paramref name=\"layerNames\"/>[k].</summary>");
        writer.Line($"/// <param name=\"path\">{KerasFormats}</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({plan.Layers.Count}).</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadKeras(string path, {@params}{Strings} layerNames) => LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), {helper}.Layers, layerNames));");
        writer.Line();
        writer.Line("/// <summary>Loads a Keras model's weights (see <see cref=\"LoadKeras(string)\"/>); with <paramref name=\"strict\"/> false, layer weights the model does not read are ignored.</summary>");
        writer.Line($"/// <param name=\"path\">{KerasFormats}</param>");
        writer.Line("/// <param name=\"strict\">Whether every layer weight of the file must be used.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({plan.Layers.Count}), or none.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadKeras(string path, bool strict, {@params}{Strings} layerNames)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({Keras}.ToPyTorch({KerasFile}.Read(path), {helper}.Layers, layerNames, options: null, strict));");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>Loads Keras weights already read from safetensors; <paramref name=\"options\"/> states the activations the Keras layers used.</summary>");
        writer.Line("/// <param name=\"tensors\">The Keras weights.</param>");
        writer.Line($"/// <param name=\"layerNames\">One Keras layer name per layer ({plan.Layers.Count}).</param>");
        writer.Line("/// <param name=\"options\">The Keras layers' activations; <see langword=\"null\"/> for Keras' defaults.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadKeras({SafeTensorsFile} tensors, {Strings} layerNames, global::FixedRnn.Interop.KerasOptions? options = null)");
        writer.Indent();
        writer.Line($"=> LoadPyTorch({Keras}.ToPyTorch(tensors, {helper}.Layers, layerNames, options));");
        writer.Unindent();
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Loads the weights of an ONNX model (as <c>torch.onnx.export</c> writes it) whose graph computes exactly this");
        writer.Line("/// model: its LSTM, GRU and RNN nodes in order, then a Gemm or MatMul + Add head and its activation, with the");
        writer.Line("/// exporters' shape plumbing between them; any other node is rejected by name, as is any unused initializer.");
        writer.Line("/// Gate orders are converted here. On failure the parameters are unchanged.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"path\">The <c>.onnx</c> file.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadOnnx(string path) => LoadPyTorch(global::FixedRnn.Interop.OnnxWeights.ToPyTorch(path, {helper}.Layers));");
        writer.Line();
        writer.Line("/// <summary>Loads the weights of an ONNX model (see <see cref=\"LoadOnnx(string)\"/>); with <paramref name=\"strict\"/> false, initializers no computed node reads are ignored.</summary>");
        writer.Line("/// <param name=\"path\">The <c>.onnx</c> file.</param>");
        writer.Line("/// <param name=\"strict\">Whether every initializer must be read.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void LoadOnnx(string path, bool strict) => LoadPyTorch(global::FixedRnn.Interop.OnnxWeights.ToPyTorch(path, {helper}.Layers, strict));");
        writer.Line();
        writer.Line("/// <summary>");
        writer.Line("/// Replaces every parameter with fresh, seeded weights: PyTorch's defaults (uniform ±1/√H) or Keras'");
        writer.Line("/// (Glorot-uniform input kernel, orthogonal recurrent kernel, zero bias, LSTM forget-gate bias 1).");
        writer.Line("/// The same seed gives the same weights on every run and machine.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"scheme\">Whose defaults to follow.</param>");
        writer.Line("/// <param name=\"seed\">The seed of the random draws.</param>");
        writer.Line(SourceFile.GeneratedCode);
        writer.Line($"public void Initialize(global::FixedRnn.InitializationScheme scheme, int seed) => LoadPyTorch({helper}.Initial(scheme, seed), {moduleList});");
    }

    private static void Helpers(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("private const int ParameterCount = " + plan.ParameterCount + ";");
        writer.Line();
        string layers = string.Join(", ", plan.Layers.Select(layer => $"new(global::FixedRnn.Training.LayerKind.{layer.Kind}, {layer.InputSize}, {layer.Size}, ResetAfter: {(layer.ResetAfter ? "true" : "false")}{ActivationArgument(layer)}){Initializers(layer)}"));
        writer.Line("/// <summary>Each layer's kind, sizes, GRU form, (where it is not the kind's default) activation, LSTM form and directions, for the importers.</summary>");
        writer.Line($"public static readonly {Description}[] Layers = [{layers}];");
        writer.Line();
        Pack(writer, plan);
        writer.Line();
        Unpack(writer, plan);
        writer.Line();
        Initial(writer, plan);
    }

    /// <summary>Reads every layer's tensors from a state_dict and packs them into a new buffer, so a failure changes nothing.</summary>
    private static void Pack(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>The parameters packed from <paramref name=\"tensors\"/>, layer k from module <paramref name=\"modules\"/>[k], in a new buffer; strict, every tensor of the file must be read.</summary>");
        using (writer.Block($"public static float[] Pack({SafeTensorsFile} tensors, {Strings} modules, bool strict)"))
        {
            writer.Line("global::FixedRnn.Interop.PyTorchStateDict stateDict = new(tensors, modules, Layers, strict);");
            writer.Line("float[] staged = new float[ParameterCount];");
            foreach (LayerPlan layer in plan.Layers.SelectMany(layer => layer.Directions))
            {
                Cell cell = layer.Cell;
                string read = cell.Module == PyTorchModule.Linear ? "Linear" : layer.IsReverse ? "RecurrentReverse" : "Recurrent";
                writer.Line();
                writer.Line($"// Layer {layer.Index}, {layer.Describe()}: {cell.PackingNote}");
                using (writer.Block())
                {
                    foreach (PyTorchTensor tensor in cell.PyTorchTensors(layer))
                    {
                        writer.Line($"float[] {tensor.Name} = stateDict.{read}({layer.Index}, \"{tensor.Name}\", [{tensor.ShapeList}]);");
                    }

                    foreach (WeightSegment segment in layer.Segments)
                    {
                        writer.Line($"PackedLayout.PackGates({segment.Tensor}, hidden: {segment.Units}, columns: {segment.Rows}, sourceGates: [{string.Join(", ", segment.SourceGates)}], new global::System.Span<float>(staged, {segment.Offset}, {segment.Length}));");
                    }

                    writer.Line($"global::System.Span<float> packedBias = new(staged, {layer.Bias}, {layer.GradientStride});");
                    foreach (BiasTerm term in cell.BiasTerms)
                    {
                        writer.Line($"PackedLayout.AddBias({term.Tensor}, hidden: {layer.Size}, sourceGate: {term.SourceGate}, slot: {term.Slot}, slots: {cell.BiasSlots}, packedBias);");
                    }
                }
            }

            writer.Line();
            writer.Line("stateDict.EnsureEveryTensorUsed();");
            writer.Line("return staged;");
        }
    }

    /// <summary>
    /// The packed parameters (or anything laid out like them, such as gradients) back in PyTorch's names and layout.
    /// A folded bias goes to <c>bias_ih</c> with <c>bias_hh</c> zero, which PyTorch computes identically and which
    /// loads back bit for bit.
    /// </summary>
    private static void Unpack(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>The packed floats as PyTorch tensors, layer k under module <paramref name=\"modules\"/>[k].</summary>");
        using (writer.Block($"public static {SafeTensorsWriter} Unpack(global::System.ReadOnlySpan<float> packed, {Strings} modules)"))
        {
            using (writer.Block("if (packed.Length != ParameterCount)"))
            {
                writer.Line("throw new global::System.ArgumentException($\"Expected {ParameterCount} floats, got {packed.Length}.\", nameof(packed));");
            }

            writer.Line();
            writer.Line($"global::FixedRnn.Interop.PyTorchModuleNames names = new(modules, {plan.Layers.Count});");
            writer.Line($"{SafeTensorsWriter} tensors = new();");
            foreach (LayerPlan layer in plan.Layers.SelectMany(layer => layer.Directions))
            {
                Cell cell = layer.Cell;
                IReadOnlyList<PyTorchTensor> pyTorch = cell.PyTorchTensors(layer);
                string naming = cell.Module == PyTorchModule.Recurrent ? "Recurrent" : "Linear";
                writer.Line();
                writer.Line($"// Layer {layer.Index}, {layer.Describe()}.");
                using (writer.Block())
                {
                    foreach (PyTorchTensor tensor in pyTorch)
                    {
                        writer.Line($"float[] {tensor.Name} = new float[{tensor.Shape.Aggregate(1, (product, dimension) => product * dimension)}];");
                    }

                    foreach (WeightSegment segment in layer.Segments)
                    {
                        writer.Line($"PackedLayout.UnpackGates(packed.Slice({segment.Offset}, {segment.Length}), hidden: {segment.Units}, columns: {segment.Rows}, sourceGates: [{string.Join(", ", segment.SourceGates)}], {segment.Tensor});");
                    }

                    writer.Line($"global::System.ReadOnlySpan<float> packedBias = packed.Slice({layer.Bias}, {layer.GradientStride});");
                    var filled = new HashSet<int>();
                    foreach (BiasTerm term in cell.BiasTerms.Where(term => filled.Add(term.Slot)))
                    {
                        writer.Line($"PackedLayout.UnpackBias(packedBias, hidden: {layer.Size}, sourceGate: {term.SourceGate}, slot: {term.Slot}, slots: {cell.BiasSlots}, {term.Tensor});");
                    }

                    foreach (PyTorchTensor tensor in pyTorch)
                    {
                        writer.Line($"tensors.Add(names.{naming}({layer.Index}, \"{tensor.Name}\"){NameSuffix(layer)}, {tensor.Name}, [{tensor.ShapeList}]);");
                    }
                }
            }

            writer.Line();
            writer.Line("return tensors;");
        }
    }

    /// <summary>Fresh tensors drawn by each cell's initialization rule, in PyTorch's layout and names under <c>layers.{k}.</c>.</summary>
    private static void Initial(SourceWriter writer, ModelPlan plan)
    {
        writer.Line("/// <summary>Fresh, seeded tensors for every layer as <paramref name=\"scheme\"/> initializes them, under the default module names.</summary>");
        using (writer.Block($"public static {SafeTensorsFile} Initial(global::FixedRnn.InitializationScheme scheme, int seed)"))
        {
            writer.Line("global::System.Random random = new(seed);");
            writer.Line($"global::FixedRnn.Interop.PyTorchModuleNames names = new(global::FixedRnn.Interop.PyTorchModuleNames.ModuleList({plan.Layers.Count}), {plan.Layers.Count});");
            writer.Line($"{SafeTensorsWriter} tensors = new();");
            foreach (LayerPlan layer in plan.Layers.SelectMany(layer => layer.Directions))
            {
                Cell cell = layer.Cell;
                string naming = cell.Module == PyTorchModule.Recurrent ? "Recurrent" : "Linear";
                writer.Line($"// Layer {layer.Index}, {layer.Describe()}.");
                foreach (PyTorchTensor tensor in cell.PyTorchTensors(layer))
                {
                    writer.Line($"tensors.Add(names.{naming}({layer.Index}, \"{tensor.Name}\"){NameSuffix(layer)}, global::FixedRnn.Training.{cell.Initializer(layer, tensor)}, [{tensor.ShapeList}]);");
                }
            }

            writer.Line();
            writer.Line($"return {SafeTensorsFile}.Parse(tensors.ToArray());");
        }
    }

    /// <summary>The description's init-only properties the layer sets: peepholes, the projection size, both directions and their merge.</summary>
    private static string Initializers(LayerPlan layer)
    {
        var set = new List<string>();
        if (layer.Peepholes)
        {
            set.Add("Peepholes = true");
        }

        if (layer.Projects)
        {
            set.Add($"ProjectionSize = {layer.ProjectionSize}");
        }

        if (layer.IsBidirectional)
        {
            set.Add("Bidirectional = true");
            set.Add($"Merge = global::FixedRnn.BidirectionalMerge.{layer.Merge}");
        }

        return set.Count == 0 ? string.Empty : $" {{ {string.Join(", ", set)} }}";
    }

    /// <summary>What follows a tensor's name for a reverse direction: PyTorch's <c>weight_ih_l0_reverse</c>.</summary>
    private static string NameSuffix(LayerPlan direction) => direction.IsReverse ? " + \"_reverse\"" : string.Empty;

    /// <summary>The layer's activation when it is not its kind's default (an RNN's tanh, a head's identity).</summary>
    private static string ActivationArgument(LayerPlan layer)
        => layer.Activation == Cell.For(layer.Kind, layer.ResetAfter, activation: null).Activation
            ? string.Empty
            : $", Activation: global::FixedRnn.Interop.LayerActivation.{layer.Activation}";
}
