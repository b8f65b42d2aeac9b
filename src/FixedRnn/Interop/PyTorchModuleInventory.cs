using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// What a PyTorch <c>state_dict</c> holds, module by module, read from its tensor names and shapes: the
/// recurrent modules (<c>rnn: LSTM, 2 layers, input 4, hidden 24</c>), their <c>*Cell</c> variants, the
/// <c>nn.Linear</c> modules (<c>head: Linear 24 → 1</c>), and how many other tensors there are. Error messages
/// show it, and it finds the module names that would load the file into a given model.
/// </summary>
internal sealed class PyTorchModuleInventory
{
    private const int ShownModules = 12;

    private readonly List<Module> _modules = [];
    private readonly int _otherTensors;

    public PyTorchModuleInventory(SafeTensorsFile tensors)
    {
        var byName = new Dictionary<string, Module>(StringComparer.Ordinal);
        foreach (SafeTensorInfo info in tensors.Tensors)
        {
            if (!TryClassify(info, out string module, out ModuleKind kind, out int index, out string parameter))
            {
                _otherTensors++;
                continue;
            }

            if (!byName.TryGetValue(module, out Module? entry))
            {
                entry = new Module(module, kind);
                byName.Add(module, entry);
                _modules.Add(entry);
            }
            else if (entry.Kind != kind)
            {
                entry.Mixed = true;
            }

            entry.Add(index, parameter, info.Shape);
        }
    }

    /// <summary>One line per module, such as <c>rnn: LSTM, 2 layers, input 4, hidden 24; head: Linear 24 → 1</c>.</summary>
    public string Describe()
    {
        if (_modules.Count == 0)
        {
            return _otherTensors == 0
                ? "The file holds no tensors."
                : $"The file holds {_otherTensors} tensor{Plural(_otherTensors)}, none named like an nn.LSTM/GRU/RNN, their cells or an nn.Linear.";
        }

        string listed = string.Join("; ", _modules.Take(ShownModules).Select(module => module.Describe()));
        if (_modules.Count > ShownModules)
        {
            listed += $"; and {_modules.Count - ShownModules} more modules";
        }

        string others = _otherTensors > 0 ? $" (and {_otherTensors} other tensor{Plural(_otherTensors)})" : string.Empty;
        return $"The file holds {listed}{others}.";
    }

    /// <summary>
    /// The module names, one per layer, under which the file's modules match <paramref name="layers"/> in kind, size
    /// and order, or <see langword="null"/> if none do. A module with several layers serves as many consecutive layers.
    /// </summary>
    public string[]? FindModules(ReadOnlySpan<LayerDescription> layers)
    {
        var assignment = new string[layers.Length];
        var used = new HashSet<Module>();
        return Assign(layers.ToArray(), 0, null, 0, used, assignment) ? assignment : null;
    }

    /// <summary>What the file holds that looks like <paramref name="module"/>, such as <c>LSTM, 2 layers, input 4, hidden 24</c>.</summary>
    public string? DescribeModule(string module)
        => _modules.FirstOrDefault(m => m.Name == module)?.Describe();

    private bool Assign(LayerDescription[] layers, int k, Module? current, int next, HashSet<Module> used, string[] assignment)
    {
        if (k == layers.Length)
        {
            // Every layer of the last module must be read, as every module's are: a module is one nn.Module.
            return current is null || next == current.LayerCount;
        }

        if (current is not null && next < current.LayerCount)
        {
            if (!current.Matches(next, layers[k]))
            {
                return false;
            }

            assignment[k] = current.Name;
            return Assign(layers, k + 1, current, next + 1, used, assignment);
        }

        foreach (Module module in _modules)
        {
            if (used.Contains(module) || module.Mixed || !module.Matches(0, layers[k]))
            {
                continue;
            }

            used.Add(module);
            assignment[k] = module.Name;
            if (Assign(layers, k + 1, module, 1, used, assignment))
            {
                return true;
            }

            used.Remove(module);
        }

        return false;
    }

    private static bool TryClassify(SafeTensorInfo info, out string module, out ModuleKind kind, out int index, out string parameter)
    {
        module = string.Empty;
        kind = ModuleKind.Linear;
        index = 0;
        parameter = string.Empty;
        int dot = info.Name.LastIndexOf('.');
        if (dot <= 0)
        {
            return false;
        }

        module = info.Name[..dot];
        string leaf = info.Name[(dot + 1)..];
        if (leaf is "weight" or "bias")
        {
            // nn.Linear: a 2-D weight and a 1-D bias. Other modules (LayerNorm, BatchNorm) have 1-D weights.
            if (leaf == "weight" ? info.Shape.Count != 2 : info.Shape.Count != 1)
            {
                return false;
            }

            parameter = leaf;
            return true;
        }

        string[] parts = leaf.Split('_');
        if (parts.Length is < 2 or > 4 || parts[0] is not ("weight" or "bias") || parts[1] is not ("ih" or "hh" or "hr"))
        {
            return false;
        }

        parameter = $"{parts[0]}_{parts[1]}";
        if (parts.Length == 2)
        {
            kind = ModuleKind.Cell;
            return true;
        }

        if (!parts[2].StartsWith('l') || !int.TryParse(parts[2].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out index) || index > 4096)
        {
            return false;
        }

        kind = ModuleKind.Recurrent;
        if (parts.Length == 4)
        {
            if (parts[3] != "reverse")
            {
                return false;
            }

            parameter += "_reverse";
        }

        return true;
    }

    private static string Plural(int count) => count == 1 ? string.Empty : "s";

    private enum ModuleKind
    {
        Recurrent,
        Cell,
        Linear,
    }

    /// <summary>One module's tensors: per layer index, the shapes of weight_ih, weight_hh and bias_ih (or weight and bias).</summary>
    private sealed class Module(string name, ModuleKind kind)
    {
        private readonly SortedDictionary<int, Dictionary<string, IReadOnlyList<long>>> _layers = [];

        public string Name => name;

        public ModuleKind Kind => kind;

        public bool Mixed { get; set; }

        public int LayerCount => _layers.Count == 0 ? 0 : _layers.Keys.Max() + 1;

        public void Add(int index, string parameter, IReadOnlyList<long> shape)
        {
            if (!_layers.TryGetValue(index, out Dictionary<string, IReadOnlyList<long>>? parameters))
            {
                parameters = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
                _layers.Add(index, parameters);
            }

            parameters[parameter] = shape;
        }

        /// <summary>Whether layer <paramref name="index"/> of this module is the layer <paramref name="layer"/> describes.</summary>
        public bool Matches(int index, LayerDescription layer)
        {
            if (!_layers.TryGetValue(index, out Dictionary<string, IReadOnlyList<long>>? parameters))
            {
                return false;
            }

            if (kind == ModuleKind.Linear)
            {
                return layer.Kind == LayerKind.Dense && parameters.TryGetValue("weight", out IReadOnlyList<long>? weight)
                    && weight[0] == layer.Size && weight[1] == layer.InputSize;
            }

            if (layer.Kind == LayerKind.Dense || kind == ModuleKind.Cell && index > 0 || IsBidirectional(parameters))
            {
                return false;
            }

            (LayerKind? fileKind, long input, long hidden) = Geometry(parameters);
            long projection = parameters.TryGetValue("weight_hr", out IReadOnlyList<long>? hr) && hr.Count == 2 ? hr[0] : 0;
            return fileKind == layer.Kind && input == layer.InputSize && hidden == layer.Size && projection == layer.ProjectionSize;
        }

        public string Describe()
        {
            if (kind == ModuleKind.Linear)
            {
                return _layers.TryGetValue(0, out var parameters) && parameters.TryGetValue("weight", out IReadOnlyList<long>? weight)
                    ? $"{name}: Linear {weight[1]} → {weight[0]}{(parameters.ContainsKey("bias") ? string.Empty : " (no bias)")}"
                    : $"{name}: a bias without a weight";
            }

            if (Mixed)
            {
                return $"{name}: tensors of several module kinds";
            }

            var kinds = new List<string>();
            var inputs = new List<long>();
            var hiddens = new List<long>();
            bool bidirectional = false;
            var projections = new List<long>();
            foreach (Dictionary<string, IReadOnlyList<long>> parameters in _layers.Values)
            {
                (LayerKind? fileKind, long input, long hidden) = Geometry(parameters);
                kinds.Add(fileKind switch { LayerKind.Lstm => "LSTM", LayerKind.Gru => "GRU", LayerKind.Rnn => "RNN", _ => "recurrent module" });
                inputs.Add(input);
                hiddens.Add(hidden);
                bidirectional |= parameters.Keys.Any(key => key.EndsWith("_reverse", StringComparison.Ordinal));
                if (parameters.TryGetValue("weight_hr", out IReadOnlyList<long>? hr) && hr.Count == 2)
                {
                    projections.Add(hr[0]);
                }
            }

            string cellKind = kinds.Distinct().Count() == 1 ? kinds[0] : "recurrent module";
            string kindText = kind == ModuleKind.Cell ? $"{cellKind}Cell" : cellKind;
            string layersText = kind == ModuleKind.Cell || LayerCount == 1 ? string.Empty : $", {LayerCount} layers";
            string hiddenText = hiddens.Distinct().Count() == 1 ? hiddens[0].ToString(CultureInfo.InvariantCulture) : string.Join("/", hiddens);
            string extras = (bidirectional ? ", bidirectional" : string.Empty)
                + (projections.Count == 0 ? string.Empty : $", proj_size {string.Join("/", projections.Distinct())}");
            return $"{name}: {kindText}{layersText}, input {inputs[0]}, hidden {hiddenText}{extras}";
        }

        private static bool IsBidirectional(Dictionary<string, IReadOnlyList<long>> parameters)
            => parameters.Keys.Any(key => key.EndsWith("_reverse", StringComparison.Ordinal));

        /// <summary>
        /// The kind (from weight_ih's rows over the hidden size), input size and hidden size of one layer: weight_hh's
        /// columns, or with a projection (proj_size) weight_hr's, since weight_hh then reads the projected h.
        /// </summary>
        private static (LayerKind? Kind, long Input, long Hidden) Geometry(Dictionary<string, IReadOnlyList<long>> parameters)
        {
            long hidden = parameters.TryGetValue("weight_hr", out IReadOnlyList<long>? hr) && hr.Count == 2 ? hr[1]
                : parameters.TryGetValue("weight_hh", out IReadOnlyList<long>? hh) && hh.Count == 2 ? hh[1] : -1;
            long rows = parameters.TryGetValue("weight_ih", out IReadOnlyList<long>? ih) && ih.Count == 2 ? ih[0] : -1;
            long input = ih is { Count: 2 } ? ih[1] : -1;
            LayerKind? fileKind = hidden <= 0 || rows % hidden != 0 ? null : (rows / hidden) switch
            {
                4 => LayerKind.Lstm,
                3 => LayerKind.Gru,
                1 => LayerKind.Rnn,
                _ => null,
            };
            return (fileKind, input, hidden);
        }
    }
}
