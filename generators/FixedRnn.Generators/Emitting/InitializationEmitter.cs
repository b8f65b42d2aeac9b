using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Emitting;

/// <summary>
/// Emits <c>Initialize</c>: fresh weights drawn by the runtime's initializers in PyTorch's layout, then
/// packed by the same code that loads PyTorch files, so both schemes land exactly where a load would.
/// </summary>
internal static class InitializationEmitter
{
    public static void Emit(SourceWriter writer, ModelLayout layout)
    {
        writer.Line("/// <summary>");
        writer.Line("/// Replaces every parameter with fresh, seeded weights: PyTorch's defaults (uniform ±1/√H) or Keras'");
        writer.Line("/// (Glorot-uniform input kernel, orthogonal recurrent kernel, zero bias, LSTM forget-gate bias 1).");
        writer.Line("/// The same seed gives the same weights on every run and machine.");
        writer.Line("/// </summary>");
        writer.Line("/// <param name=\"scheme\">Whose defaults to follow.</param>");
        writer.Line("/// <param name=\"seed\">The seed of the random draws.</param>");
        using (writer.Block("public void Initialize(global::FixedRnn.Training.InitializationScheme scheme, int seed)"))
        {
            writer.Line("global::System.Random random = new(seed);");
            writer.Line("global::FixedRnn.Interop.PyTorchModuleNames names = new(global::FixedRnn.Interop.PyTorchModuleNames.ModuleList(LayerCount), LayerCount);");
            writer.Line("global::FixedRnn.Interop.SafeTensorsWriter tensors = new();");
            foreach (LayerLayout layer in layout.Layers)
            {
                string kind = $"global::FixedRnn.Training.LayerKind.{layer.Spec.Kind}";
                int rows = layer.SourceGates * layer.Spec.Size;
                string[] tensorNames = layer.Spec.IsRecurrent
                    ? new[] { "weight_ih", "weight_hh", "bias_ih", "bias_hh" }
                    : new[] { "weight", "bias" };
                string naming = layer.Spec.IsRecurrent ? "Recurrent" : "Linear";
                writer.Line($"// Layer {layer.Index}, {layer.Spec.Describe()}.");
                foreach (string name in tensorNames)
                {
                    string shape = name switch
                    {
                        "weight_ih" or "weight" => $"{rows}, {layer.Spec.InputSize}",
                        "weight_hh" => $"{rows}, {layer.Spec.Size}",
                        _ => $"{rows}",
                    };
                    writer.Line($"tensors.Add(names.{naming}({layer.Index}, \"{name}\"), global::FixedRnn.Training.Initializers.CreateTensor(scheme, {kind}, {layer.Spec.InputSize}, {layer.Spec.Size}, \"{name}\", random), {shape});");
                }
            }

            writer.Line();
            writer.Line("LoadPyTorch(global::FixedRnn.Interop.SafeTensorsFile.Parse(tensors.ToArray()));");
        }
    }
}
