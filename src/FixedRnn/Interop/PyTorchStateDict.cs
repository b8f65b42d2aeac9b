using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;

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
    private readonly SafeTensorsFile _tensors;
    private readonly PyTorchModuleNames _names;

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
    }

    /// <summary>Reads a recurrent layer's tensor, such as <c>weight_ih</c>, checking its shape.</summary>
    /// <param name="layer">The layer index.</param>
    /// <param name="name">The parameter name without module or layer suffix.</param>
    /// <param name="shape">The shape the layer expects.</param>
    /// <returns>The tensor's values as floats; zeros for the biases of a module built with <c>bias=False</c>.</returns>
    /// <exception cref="WeightFormatException">
    /// The tensor is missing, not floating point, or shaped otherwise, or the module uses <c>proj_size</c> or is bidirectional.
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

        return Read(layer, candidates, shape);
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

        return Read(layer, new List<string> { key }, shape);
    }

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

    /// <summary>Features of nn.LSTM/GRU/RNN that FixedRnn's cells do not have are named, not silently ignored.</summary>
    private void RejectUnsupportedFeatures(int layer)
    {
        string projection = _names.Recurrent(layer, "weight_hr");
        if (_tensors.TryGetInfo(projection, out _))
        {
            throw new WeightFormatException($"Tensor '{projection}' shows an LSTM with proj_size, which FixedRnn does not support (layer {layer}).", projection);
        }

        string reverse = _names.Recurrent(layer, "weight_ih") + "_reverse";
        if (_tensors.TryGetInfo(reverse, out _))
        {
            throw new WeightFormatException($"Tensor '{reverse}' shows a bidirectional module, which FixedRnn does not support (layer {layer}): export each direction as its own model.", reverse);
        }
    }

    private float[] Read(int layer, List<string> candidates, ReadOnlySpan<int> shape)
    {
        string expected = FormatShape(shape.ToArray().Select(dimension => (long)dimension));
        foreach (string key in candidates)
        {
            if (!_tensors.TryGetInfo(key, out SafeTensorInfo? info))
            {
                continue;
            }

            if (info.DType is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64))
            {
                throw new WeightFormatException($"Tensor '{key}' of layer {layer} is {info.DType}; expected a floating-point tensor of shape {expected}.", key);
            }

            if (!info.Shape.SequenceEqual(shape.ToArray().Select(dimension => (long)dimension)))
            {
                throw new WeightFormatException($"Tensor '{key}' of layer {layer} has shape {FormatShape(info.Shape)}; expected {expected}.", key);
            }

            return _tensors.ReadSingles(key);
        }

        string names = string.Join("' or '", candidates);
        throw new WeightFormatException($"Tensor '{names}' for layer {layer} is missing; expected shape {expected}.", candidates[0]);
    }

    private static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
