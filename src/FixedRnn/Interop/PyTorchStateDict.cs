using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// Resolves a model's layers to the tensors of a PyTorch <c>state_dict</c> read from safetensors, and
/// reads them with their shapes checked. Used by the generated <c>LoadPyTorch</c>.
/// </summary>
/// <remarks>
/// Layer k reads the module named by <c>modules[k]</c>. Consecutive layers naming the same module are
/// that module's consecutive layers, as in one multi-layer <c>nn.LSTM</c>: recurrent tensors are looked up
/// as <c>{module}.{name}_l{i}</c>, and, for the first layer of a module, also as <c>{module}.{name}</c>
/// (the <c>*Cell</c> modules). Dense layers read <c>{module}.weight</c> and <c>{module}.bias</c>.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PyTorchStateDict
{
    private const int ShownUnexpected = 12;

    private readonly SafeTensorsFile _tensors;
    private readonly PyTorchModuleNames _names;
    private readonly LayerDescription[]? _layers;
    private readonly bool _strict;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private PyTorchModuleInventory? _inventory;

    /// <summary>Maps the model's layers to modules of <paramref name="tensors"/>.</summary>
    /// <param name="tensors">The state_dict.</param>
    /// <param name="modules">One module name per layer.</param>
    /// <param name="expectedLayers">The model's layer count.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> or a module name is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modules"/> does not name one module per layer.</exception>
    public PyTorchStateDict(SafeTensorsFile tensors, ReadOnlySpan<string> modules, int expectedLayers)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors;
        _names = new PyTorchModuleNames(modules, expectedLayers);
        _strict = true;
    }

    /// <summary>
    /// Maps the model's layers, described by <paramref name="layers"/>, to modules of <paramref name="tensors"/>; the
    /// descriptions let errors say what a wrong shape means and which module names would load the file.
    /// </summary>
    /// <param name="tensors">The state_dict.</param>
    /// <param name="modules">One module name per layer, or none for the default <c>layers.{k}</c>.</param>
    /// <param name="layers">The model's layers.</param>
    /// <param name="strict">Whether <see cref="EnsureEveryTensorUsed"/> requires every tensor of the file to have been read,
    /// as PyTorch's <c>load_state_dict(strict=True)</c> does.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> or a module name is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="modules"/> does not name one module per layer.</exception>
    public PyTorchStateDict(SafeTensorsFile tensors, ReadOnlySpan<string> modules, ReadOnlySpan<LayerDescription> layers, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _tensors = tensors;
        _layers = layers.ToArray();
        _names = modules.IsEmpty
            ? new PyTorchModuleNames(PyTorchModuleNames.ModuleList(layers.Length), layers.Length)
            : new PyTorchModuleNames(modules, layers.Length);
        _strict = strict;
    }

    /// <summary>Reads a recurrent layer's tensor, such as <c>weight_ih</c>, checking its shape.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter name without module or layer suffix.</param>
    /// <param name="shape">The shape the layer expects.</param>
    /// <returns>The tensor's values as floats; zeros for the biases of a module built with <c>bias=False</c>.</returns>
    /// <exception cref="WeightFormatException">
    /// The tensor is missing, not floating point, or shaped otherwise, the file holds it under two spellings,
    /// the module's <c>proj_size</c> is not the layer's <see cref="LayerDescription.ProjectionSize"/>, or it is bidirectional.
    /// </exception>
    public float[] Recurrent(int layer, string name, params ReadOnlySpan<int> shape)
    {
        RejectUnsupportedFeatures(layer);
        List<string> candidates = RecurrentKeys(layer, name);
        if (name.StartsWith("bias_", StringComparison.Ordinal) && IsBiasFree(layer))
        {
            // nn.LSTM/GRU/RNN(bias=False) have neither bias: their biases are zero. One bias alone is an error.
            return new float[shape[0]];
        }

        if (name == "weight_peephole" && !candidates.Any(key => _tensors.TryGetInfo(key, out _)))
        {
            throw new WeightFormatException(
                $"Tensor '{candidates[0]}' for layer {layer}{What(layer)} is missing: PyTorch's nn.LSTM has no peepholes, so no PyTorch module fills a peephole layer. "
                + "Load ONNX weights (OnnxWeights.ToPyTorch) or a file this model's SavePyTorch wrote, or declare the layer without Peepholes.",
                candidates[0]);
        }

        return Read(layer, name, candidates, shape);
    }

    /// <summary>Reads a tensor of a bidirectional layer's reverse direction, PyTorch's <c>{name}_l{k}_reverse</c>, checking its shape.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter name without module, layer or direction suffix.</param>
    /// <param name="shape">The shape the layer expects.</param>
    /// <returns>The tensor's values as floats; zeros for the biases of a module built with <c>bias=False</c>.</returns>
    /// <exception cref="WeightFormatException">The tensor is missing, not floating point, or shaped otherwise, or the module uses <c>proj_size</c>.</exception>
    public float[] RecurrentReverse(int layer, string name, params ReadOnlySpan<int> shape)
    {
        RejectUnsupportedFeatures(layer);
        if (name.StartsWith("bias_", StringComparison.Ordinal) && IsBiasFree(layer))
        {
            return new float[shape[0]];
        }

        return Read(layer, name, new List<string> { _names.Recurrent(layer, name) + "_reverse" }, shape);
    }

    /// <summary>Reads a Dense layer's tensor (<c>weight</c> or <c>bias</c> of an <c>nn.Linear</c>), checking its shape.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter name without module.</param>
    /// <param name="shape">The shape the layer expects.</param>
    /// <returns>The tensor's values as floats; zeros for the bias of <c>nn.Linear(bias=False)</c>, which has none.</returns>
    /// <exception cref="WeightFormatException">The tensor is missing, not floating point, or shaped otherwise.</exception>
    public float[] Linear(int layer, string name, params ReadOnlySpan<int> shape)
    {
        string key = _names.Linear(layer, name);
        if (name == "bias" && !_tensors.TryGetInfo(key, out _) && _tensors.TryGetInfo(_names.Linear(layer, "weight"), out _))
        {
            return new float[shape[0]];
        }

        return Read(layer, name, new List<string> { key }, shape);
    }

    /// <summary>
    /// Called once every layer is read: when loading strictly, fails unless every tensor of the file was read, listing
    /// the unexpected ones with what the file holds, as PyTorch's <c>load_state_dict(strict=True)</c> does.
    /// </summary>
    /// <exception cref="WeightFormatException">Loading strictly, and the file holds tensors the model does not read.</exception>
    public void EnsureEveryTensorUsed()
    {
        if (!_strict)
        {
            return;
        }

        List<SafeTensorInfo> unexpected = _tensors.Tensors.Where(info => !_used.Contains(info.Name)).ToList();
        if (unexpected.Count == 0)
        {
            return;
        }

        string listed = string.Join(", ", unexpected.Take(ShownUnexpected).Select(info => $"'{info.Name}' {FormatShape(info.Shape)}"));
        if (unexpected.Count > ShownUnexpected)
        {
            listed += $" and {unexpected.Count - ShownUnexpected} more";
        }

        string reads = string.Join(", ", Enumerable.Range(0, _names.Count).Select(k => $"layer {k} from '{_names.Module(k)}'"
            + (_names.IndexInModule(k) > 0 || (k + 1 < _names.Count && _names.Module(k + 1) == _names.Module(k)) ? $" (its layer {_names.IndexInModule(k)})" : string.Empty)));
        throw new WeightFormatException(
            $"The file holds {unexpected.Count} tensor{(unexpected.Count == 1 ? string.Empty : "s")} the model does not read: {listed}. "
            + $"The model reads {reads}. {Inventory.Describe()} "
            + "A strict load uses every tensor, as PyTorch's load_state_dict does by default, so that a file of another model cannot load silently. "
            + $"If the file carries extra tensors on purpose (optimizer state, other heads), load it with strict: false, e.g. {Call(strict: false, null)}.",
            unexpected[0].Name);
    }

    private PyTorchModuleInventory Inventory => _inventory ??= new PyTorchModuleInventory(_tensors);

    private List<string> RecurrentKeys(int layer, string name)
    {
        var candidates = new List<string> { _names.Recurrent(layer, name) };
        if (_names.IndexInModule(layer) == 0)
        {
            candidates.Add($"{_names.Module(layer)}.{name}");
        }

        return candidates;
    }

    private bool IsBiasFree(int layer)
        => !RecurrentKeys(layer, "bias_ih").Concat(RecurrentKeys(layer, "bias_hh")).Any(key => _tensors.TryGetInfo(key, out _));

    /// <summary>Features of nn.LSTM/GRU/RNN that the layer does not compute are named, not silently ignored.</summary>
    private void RejectUnsupportedFeatures(int layer)
    {
        CheckProjection(layer);

        string reverse = _names.Recurrent(layer, "weight_ih") + "_reverse";
        bool bidirectional = _layers is not null && layer < _layers.Length && _layers[layer].Bidirectional;
        if (!bidirectional && _tensors.TryGetInfo(reverse, out _))
        {
            throw new WeightFormatException(
                $"Tensor '{reverse}' shows a bidirectional module, and layer {layer} is declared with one direction: declare it with Bidirectional = true "
                + "(PyTorch's bidirectional=True concatenates, Merge = BidirectionalMerge.Concat, the default).",
                reverse);
        }
    }

    /// <summary>
    /// Whether the module's <c>proj_size</c>, which its <c>weight_hr</c> <c>[P, H]</c> shows, is the layer's declared
    /// <see cref="LayerDescription.ProjectionSize"/>; if not, the error names the declaration that would read the file.
    /// </summary>
    private void CheckProjection(int layer)
    {
        string key = _names.Recurrent(layer, "weight_hr");
        bool inFile = _tensors.TryGetInfo(key, out SafeTensorInfo? info);
        if (_layers is null)
        {
            if (inFile)
            {
                throw new WeightFormatException($"Tensor '{key}' shows an LSTM with proj_size, which this reader, given no layer descriptions, does not read (layer {layer}).", key);
            }

            return;
        }

        LayerDescription description = _layers[layer];
        int declared = description.Kind == LayerKind.Lstm ? description.ProjectionSize : 0;
        if (inFile && (declared == 0 || info!.Shape.Count != 2 || info.Shape[0] != declared || info.Shape[1] != description.Size))
        {
            string file = info!.Shape.Count == 2 ? $"proj_size {info.Shape[0]} and hidden size {info.Shape[1]}" : $"a weight_hr of shape {FormatShape(info.Shape)}";
            string fits = info.Shape.Count == 2 ? $"; declare it [Lstm({info.Shape[1]}, ProjectionSize = {info.Shape[0]})] to read it" : string.Empty;
            throw new WeightFormatException(
                $"Tensor '{key}' {FormatShape(info.Shape)} shows an nn.LSTM with {file}, but layer {layer} is declared {description.Describe()}{fits}.",
                key);
        }

        string recurrent = _names.Recurrent(layer, "weight_hh");
        if (!inFile && declared > 0 && _tensors.TryGetInfo(recurrent, out SafeTensorInfo? hh))
        {
            string fits = hh.Shape.Count == 2 ? $"; declare it [Lstm({hh.Shape[1]})] to read it, or load a file of an nn.LSTM(proj_size={declared})" : string.Empty;
            throw new WeightFormatException(
                $"Tensor '{key}' for layer {layer}{What(layer)} is missing: the file's module has no projection (no proj_size), but the layer is declared with ProjectionSize = {declared}{fits}.",
                key);
        }
    }

    private float[] Read(int layer, string parameter, List<string> candidates, ReadOnlySpan<int> shape)
    {
        string expected = FormatShape(shape.ToArray().Select(dimension => (long)dimension));
        List<string> present = candidates.Where(key => _tensors.TryGetInfo(key, out _)).ToList();
        if (present.Count > 1)
        {
            throw new WeightFormatException(
                $"The file holds both '{present[0]}' and '{present[1]}', two spellings of {parameter} of layer {layer}{What(layer)}; "
                + "which one the model should read is ambiguous. Keep one of them.",
                present[0]);
        }

        if (present.Count == 0)
        {
            string names = string.Join("' or '", candidates);
            throw new WeightFormatException(
                $"Tensor '{names}' for layer {layer}{What(layer)} is missing; expected shape {expected}. {Inventory.Describe()}{Suggestion()}",
                candidates[0]);
        }

        string key = present[0];
        SafeTensorInfo info = _tensors.GetInfo(key);
        if (info.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64))
        {
            throw new WeightFormatException($"Tensor '{key}' of layer {layer} is {info.DType}; expected a floating-point tensor of shape {expected}.", key);
        }

        if (!info.Shape.SequenceEqual(shape.ToArray().Select(dimension => (long)dimension)))
        {
            throw new WeightFormatException(
                $"Tensor '{key}' of layer {layer} has shape {FormatShape(info.Shape)}; expected {expected}{Meaning(layer, parameter, info.Shape, shape)}",
                key);
        }

        _used.Add(key);
        return _tensors.ReadSingles(key);
    }

    private string What(int layer) => _layers is null ? string.Empty : $" ({_layers[layer].Describe()}, module '{_names.Module(layer)}')";

    /// <summary>What a shape that differs from the expected one means in the model's terms: hidden units, inputs, outputs.</summary>
    private string Meaning(int layer, string parameter, IReadOnlyList<long> actual, ReadOnlySpan<int> expected)
    {
        if (actual.Count == expected.Length && expected.Length == 2 && actual[0] == expected[1] && actual[1] == expected[0])
        {
            return ": the transpose of PyTorch's layout (was it saved by another framework?).";
        }

        if (_layers is null)
        {
            return ".";
        }

        LayerDescription description = _layers[layer];
        string model = $"layer {layer} of the model is {description.Describe()}";
        if (description.Kind == LayerKind.Dense)
        {
            return parameter == "weight" && actual.Count == 2
                ? $": the file's Linear maps {actual[1]} → {actual[0]} features, but {model}."
                : actual.Count == 1 ? $": the file's Linear has {actual[0]} outputs, but {model}." : $": {model}.";
        }

        int gates = description.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        string gateNote = description.Kind switch
        {
            LayerKind.Lstm => "an LSTM stacks 4 gate blocks",
            LayerKind.Gru => "a GRU stacks 3 gate blocks",
            _ => "an RNN has 1 block",
        };
        var facts = new List<string>();
        if (actual.Count >= 1 && actual.Count == expected.Length)
        {
            if (actual[0] % gates == 0 && actual[0] / gates != description.Size)
            {
                facts.Add($"the file's layer has {actual[0] / gates} hidden units ({gateNote} of hidden rows), the model declares {description.Size}");
            }
            else if (actual[0] % gates != 0)
            {
                facts.Add($"{actual[0]} rows are not a multiple of {gates} ({gateNote}): the file's module is not an {KindName(description.Kind)}"
                    + (Inventory.DescribeModule(_names.Module(layer)) is { } found ? $" ({found})" : string.Empty));
            }

            if (actual.Count == 2 && actual[1] != expected[1])
            {
                facts.Add(parameter.StartsWith("weight_hh", StringComparison.Ordinal)
                    ? description.ProjectionSize > 0
                        ? $"its recurrent weight is for an h of {actual[1]} units, the model declares ProjectionSize = {description.ProjectionSize}"
                        : $"its recurrent weight is for {actual[1]} hidden units, the model declares {description.Size}"
                    : $"the file's layer reads {actual[1]} input features, the model's layer reads {description.InputSize}"
                      + (layer == 0 ? " (the model's inputSize)" : " (the previous layer's output size)"));
            }
        }

        return facts.Count == 0 ? $": {model}." : $": {string.Join("; ", facts)}.";
    }

    private static string KindName(LayerKind kind) => kind switch { LayerKind.Lstm => "LSTM", LayerKind.Gru => "GRU", _ => "RNN" };

    /// <summary>The module names that would load this file, as the call to make; empty when none match or they are the ones used.</summary>
    private string Suggestion()
    {
        if (_layers is null)
        {
            return string.Empty;
        }

        string[]? modules = Inventory.FindModules(_layers);
        if (modules is null)
        {
            return $" No module names map the file's modules onto the model's layers ({string.Join(", ", _layers.Select(l => l.Describe()))}).";
        }

        bool same = Enumerable.Range(0, modules.Length).All(k => modules[k] == _names.Module(k));
        return same ? string.Empty : $" To load it, name the modules: {Call(strict: true, modules)}.";
    }

    private string Call(bool strict, string[]? modules)
    {
        modules ??= Enumerable.Range(0, _names.Count).Select(_names.Module).ToArray();
        bool defaults = modules.SequenceEqual(PyTorchModuleNames.ModuleList(modules.Length));
        string names = defaults ? string.Empty : ", " + string.Join(", ", modules.Select(module => $"\"{module}\""));
        return strict ? $"model.LoadPyTorch(path{names})" : $"model.LoadPyTorch(path, strict: false{names})";
    }

    private static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
