using System;

namespace FixedRnn.Interop;

/// <summary>
/// Maps a model's layers to PyTorch module names: layer k belongs to module <c>modules[k]</c>, and
/// consecutive layers naming the same module are that module's consecutive layers, as in one
/// multi-layer <c>nn.LSTM</c> (<c>lstm.weight_ih_l0</c>, <c>lstm.weight_ih_l1</c>, …).
/// </summary>
public sealed class PyTorchModuleNames
{
    private readonly string[] _modules;
    private readonly int[] _indexInModule;

    /// <summary>Maps <paramref name="expectedLayers"/> layers to <paramref name="modules"/>.</summary>
    /// <param name="modules">One module name per layer.</param>
    /// <param name="expectedLayers">The model's layer count.</param>
    /// <exception cref="ArgumentException"><paramref name="modules"/> does not name one non-empty module per layer.</exception>
    public PyTorchModuleNames(ReadOnlySpan<string> modules, int expectedLayers)
    {
        if (modules.Length != expectedLayers)
        {
            throw new ArgumentException($"Expected one module name per layer ({expectedLayers}), got {modules.Length}.", nameof(modules));
        }

        _modules = modules.ToArray();
        _indexInModule = new int[_modules.Length];
        for (int layer = 0; layer < _modules.Length; layer++)
        {
            ArgumentException.ThrowIfNullOrEmpty(_modules[layer], nameof(modules));
            _indexInModule[layer] = layer > 0 && _modules[layer - 1] == _modules[layer] ? _indexInModule[layer - 1] + 1 : 0;
        }
    }

    /// <summary>The default names, <c>layers.0</c>, <c>layers.1</c>, …: an <c>nn.ModuleList</c> named <c>layers</c>.</summary>
    /// <param name="layers">The model's layer count.</param>
    /// <returns>One module name per layer.</returns>
    public static string[] ModuleList(int layers)
    {
        var names = new string[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            names[layer] = $"layers.{layer}";
        }

        return names;
    }

    /// <summary>The number of layers mapped.</summary>
    public int Count => _modules.Length;

    /// <summary>The module of <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The module name.</returns>
    public string Module(int layer) => _modules[layer];

    /// <summary>Which layer of its module <paramref name="layer"/> is: the <c>i</c> of <c>_l{i}</c>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The index within the module.</returns>
    public int IndexInModule(int layer) => _indexInModule[layer];

    /// <summary>The key of a recurrent layer's parameter as <c>nn.LSTM/GRU/RNN</c> name it: <c>{module}.{name}_l{i}</c>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter, such as <c>weight_ih</c>.</param>
    /// <returns>The state_dict key.</returns>
    public string Recurrent(int layer, string name) => $"{_modules[layer]}.{name}_l{_indexInModule[layer]}";

    /// <summary>The key of a Dense layer's parameter as <c>nn.Linear</c> names it: <c>{module}.{name}</c>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter, <c>weight</c> or <c>bias</c>.</param>
    /// <returns>The state_dict key.</returns>
    public string Linear(int layer, string name) => $"{_modules[layer]}.{name}";
}
