using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// Converts the weights of a Keras model (TF2 Keras or Keras 3), stored in safetensors under
/// Keras' own names and layout, into the PyTorch <c>state_dict</c> a generated model's <c>LoadPyTorch</c>
/// reads: <c>model.LoadPyTorch(KerasWeights.ToPyTorch(file, layers, names))</c>.
/// </summary>
/// <remarks>
/// <para>
/// A Keras layer named <c>N</c> holds <c>N/kernel</c> <c>[I, G·H]</c>, <c>N/recurrent_kernel</c> <c>[H, G·H]</c> and
/// <c>N/bias</c>: <c>[4H]</c> for LSTM, <c>[2, 3H]</c> for a GRU with <c>reset_after=True</c> (row 0 the input
/// bias, row 1 the recurrent bias), <c>[3H]</c> for a GRU with <c>reset_after=False</c>, <c>[H]</c> for SimpleRNN;
/// a Dense layer holds <c>N/kernel</c> <c>[I, O]</c> and <c>N/bias</c> <c>[O]</c>. Each tensor is found under any of
/// the names Keras writes (shown for an LSTM's kernel; GRU cells are <c>gru_cell</c>, SimpleRNN cells
/// <c>simple_rnn_cell</c>, and Dense layers have no cell level):
/// </para>
/// <list type="bullet">
/// <item><description><c>N/lstm_cell/kernel:0</c>, TF2 Keras' variable names, whose cells count on their own
/// (<c>lstm_1/lstm_cell_1/kernel:0</c>, or any <c>lstm_cell_{n}</c>);</description></item>
/// <item><description><c>N/lstm_cell/kernel</c>, Keras 3's variable paths;</description></item>
/// <item><description><c>N/kernel:0</c> and <c>N/kernel</c>, without the cell level;</description></item>
/// <item><description><c>N/N/lstm_cell/kernel:0</c>, the dataset paths of a TF2 Keras HDF5 file's layer group;</description></item>
/// <item><description><c>layers/N/cell/vars/0</c> (kernel), <c>…/1</c> (recurrent kernel), <c>…/2</c> (bias), and
/// <c>layers/N/vars/0</c>, <c>…/1</c> for Dense: the paths of a Keras 3 <c>.weights.h5</c> file.</description></item>
/// </list>
/// <para>
/// Kernels are transposed to PyTorch's <c>[G·H, I]</c>. Keras' LSTM gates <c>i, f, c, o</c> are PyTorch's
/// <c>i, f, g, o</c>, in the same order; Keras' GRU gates <c>z, r, h</c> become PyTorch's <c>r, z, n</c> (the first
/// two blocks swap, in both kernels and the biases). A single Keras bias (LSTM, SimpleRNN, reset-before GRU)
/// becomes <c>bias_ih</c> with <c>bias_hh</c> zero; a reset-after GRU's two rows become <c>bias_ih</c> and
/// <c>bias_hh</c>. A layer built with <c>use_bias=False</c>, which has no bias tensor, gets zero biases.
/// F32, F16, BF16 and F64 tensors are accepted.
/// </para>
/// <para>
/// A layer declared <see cref="LayerDescription.Bidirectional"/> is a <c>Bidirectional</c> wrapper named <c>N</c>
/// (<c>bidirectional</c>, <c>bidirectional_1</c>, … by default) whose two layers' tensors sit under
/// <c>N/forward_{layer}/…</c> and <c>N/backward_{layer}/…</c> (TF2 Keras and Keras 3 names, such as
/// <c>bidirectional/forward_lstm/lstm_cell_1/kernel:0</c>; <c>N/N/forward_{layer}/…</c> in a TF2 HDF5 layer group;
/// <c>layers/N/forward_layer/cell/vars/0</c> in a Keras 3 <c>.weights.h5</c>), each spelled as above; the backward layer's become
/// PyTorch's <c>*_reverse</c>. Its merge mode is checked against the configuration where the file records one.
/// </para>
/// <para>
/// Not supported: <c>go_backwards</c> outside a <c>Bidirectional</c> wrapper, peephole (a layer with
/// <see cref="LayerDescription.Peepholes"/> is refused), projected (a layer with <see cref="LayerDescription.ProjectionSize"/>
/// is refused: Keras has no <c>proj_size</c>) or layer-normalized cells, the
/// TF1 <c>CuDNNLSTM</c>/<c>CuDNNGRU</c> layouts, and activations other than the sigmoid gates and tanh of
/// TF2 Keras' and Keras 3's defaults (see <see cref="KerasOptions"/>). Keras' <c>return_sequences=False</c>
/// only keeps the last step of what FixedRnn computes at every step.
/// </para>
/// </remarks>
public static class KerasWeights
{
    private static readonly KerasOptions DefaultOptions = new();

    /// <summary>
    /// Reads a model's Keras weights and returns them as the PyTorch <c>state_dict</c> its <c>LoadPyTorch</c>
    /// reads by default: layer k under <c>layers.{k}.</c> (<c>weight_ih_l0</c>, <c>weight_hh_l0</c>,
    /// <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, or <c>weight</c> and <c>bias</c> for Dense), all F32.
    /// </summary>
    /// <param name="keras">The Keras weights, under the names listed in the remarks of <see cref="KerasWeights"/>.</param>
    /// <param name="layers">The model's layers, in order.</param>
    /// <param name="layerNames">The Keras name of each layer, such as <c>"lstm"</c> or <c>"dense_1"</c>, as
    /// <c>model.summary()</c> shows them; <see cref="DefaultLayerNames"/> gives the names Keras picks by itself.</param>
    /// <param name="options">The activations the Keras layers were built with; <see langword="null"/> for Keras' defaults.</param>
    /// <returns>A new in-memory safetensors file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keras"/> or a layer name is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There are no layers, <paramref name="layerNames"/> does not give one
    /// distinct non-empty name per layer, a layer is malformed, or an option is null or empty.</exception>
    /// <exception cref="NotSupportedException">The model has an LSTM or GRU layer and <paramref name="options"/>
    /// names an activation FixedRnn does not compute, such as <c>recurrent_activation='hard_sigmoid'</c>.</exception>
    /// <exception cref="WeightFormatException">A kernel is missing; a tensor is not floating point or has the
    /// wrong shape; a GRU's bias is of the other <c>reset_after</c> form than the layer declares; or a tensor
    /// matches more than one spelling. <see cref="WeightFormatException.TensorName"/> names the Keras tensor.</exception>
    public static SafeTensorsFile ToPyTorch(
        SafeTensorsFile keras,
        ReadOnlySpan<LayerDescription> layers,
        ReadOnlySpan<string> layerNames,
        KerasOptions? options = null)
        => ToPyTorch(keras, layers, layerNames, options, strict: true);

    /// <summary>
    /// Converts the weights of a Keras file (<see cref="KerasFile.Read"/>: <c>.keras</c>, <c>.h5</c>, <c>.weights.h5</c>
    /// or safetensors) into the PyTorch <c>state_dict</c> the model's <c>LoadPyTorch</c> reads, after checking the saved
    /// model's configuration, when the file has one, against <paramref name="layers"/>.
    /// </summary>
    /// <param name="file">The Keras file.</param>
    /// <param name="layers">The model's layers, in order.</param>
    /// <param name="layerNames">The Keras name of each layer; none to take the file's own order of layers with weights
    /// (recorded by <c>.keras</c> and <c>.h5</c> files), or else the names a fresh Keras session gives (<see cref="DefaultLayerNames"/>).</param>
    /// <param name="options">For weights-only files: the activations the Keras LSTM and GRU layers used; a file's configuration says it itself.</param>
    /// <param name="strict">Whether every layer weight of the file must be read (optimizer state is not a layer weight).</param>
    /// <returns>A new in-memory safetensors file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The layers or names are malformed.</exception>
    /// <exception cref="NotSupportedException"><paramref name="options"/> names an activation FixedRnn does not compute.</exception>
    /// <exception cref="WeightFormatException">The saved configuration differs from the declaration (every difference is listed),
    /// a weight is missing, unexpected or misshapen.</exception>
    public static SafeTensorsFile ToPyTorch(
        KerasFile file,
        ReadOnlySpan<LayerDescription> layers,
        ReadOnlySpan<string> layerNames = default,
        KerasOptions? options = null,
        bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Layers is not null)
        {
            List<string> mismatches = KerasLayerConfig.Mismatches(file.Layers, layers);
            if (mismatches.Count > 0)
            {
                throw new WeightFormatException(
                    $"The Keras model saved in {file.Source} ({file.Format}) is not the declared one: "
                    + string.Join("; ", mismatches.Select((problem, i) => $"({i + 1}) {problem}")) + ".");
            }

            options = null; // The configuration has been checked; the defaults are what it says.
        }

        string[] names;
        if (!layerNames.IsEmpty)
        {
            names = layerNames.ToArray();
        }
        else if (file.LayerOrder is { } order && order.Count == layers.Length)
        {
            names = [.. order];
        }
        else if (file.LayerOrder is { } other && strict)
        {
            throw new WeightFormatException(
                $"{file.Source} ({file.Format}) has {other.Count} layer{(other.Count == 1 ? string.Empty : "s")} with weights ({string.Join(", ", other.Select(n => $"'{n}'"))}), "
                + $"but the model declares {layers.Length} ({string.Join(", ", layers.ToArray().Select(l => l.Describe()))}). "
                + $"To load some of them on purpose, name the layers and load with strict: false, e.g. LoadKeras(path, strict: false, {string.Join(", ", other.Take(layers.Length).Select(n => $"\"{n}\""))}).");
        }
        else
        {
            names = DefaultLayerNames(layers);
        }

        return ToPyTorch(file.Tensors, layers, names, options, strict);
    }

    private static SafeTensorsFile ToPyTorch(
        SafeTensorsFile keras,
        ReadOnlySpan<LayerDescription> layers,
        ReadOnlySpan<string> layerNames,
        KerasOptions? options,
        bool strict)
    {
        ArgumentNullException.ThrowIfNull(keras);
        ValidateLayers(layers, layerNames);
        CheckActivations(options ?? DefaultOptions, layers);
        var used = new HashSet<string>(StringComparer.Ordinal);

        var modules = new PyTorchModuleNames(PyTorchModuleNames.ModuleList(layers.Length), layers.Length);
        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        writer.AddMetadata("converted_from", "keras");
        for (int k = 0; k < layers.Length; k++)
        {
            if (layers[k].Kind == LayerKind.Dense)
            {
                ConvertDense(new KerasLayer(keras, k, layers[k], layerNames[k], used), modules, writer);
            }
            else if (layers[k].Bidirectional)
            {
                // A Bidirectional wrapper: its forward layer, then its backward one as PyTorch's reverse direction.
                ConvertRecurrent(new KerasLayer(keras, k, layers[k], $"{layerNames[k]}/{DirectionScope(keras, layerNames[k], "forward_")}", used), modules, writer, string.Empty);
                ConvertRecurrent(new KerasLayer(keras, k, layers[k], $"{layerNames[k]}/{DirectionScope(keras, layerNames[k], "backward_")}", used), modules, writer, "_reverse");
            }
            else
            {
                ConvertRecurrent(new KerasLayer(keras, k, layers[k], layerNames[k], used), modules, writer, string.Empty);
            }
        }

        if (strict)
        {
            string[] unexpected = keras.Names.Where(name => !used.Contains(name)).ToArray();
            if (unexpected.Length > 0)
            {
                string listed = string.Join(", ", unexpected.Take(12).Select(name => $"'{name}' [{string.Join(", ", keras.GetInfo(name).Shape)}]"))
                    + (unexpected.Length > 12 ? $" and {unexpected.Length - 12} more" : string.Empty);
                throw new WeightFormatException(
                    $"The Keras file holds {unexpected.Length} weight{(unexpected.Length == 1 ? string.Empty : "s")} the model does not read: {listed}. "
                    + $"The model reads the Keras layers {string.Join(", ", layerNames.ToArray().Select(n => $"'{n}'"))}. "
                    + "A strict load uses every layer weight, so that the weights of another model cannot load silently; "
                    + "to ignore extra weights on purpose, load with strict: false.",
                    unexpected[0]);
            }
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>
    /// The names Keras gives these layers by itself in a fresh session: <c>lstm</c>, <c>lstm_1</c>, … for LSTM;
    /// <c>gru</c>, <c>gru_1</c>, … for GRU; <c>simple_rnn</c>, … for SimpleRNN; <c>dense</c>, … for Dense; <c>bidirectional</c>,
    /// <c>bidirectional_1</c>, … for a bidirectional layer (whose wrapped layer takes its kind's next name).
    /// </summary>
    /// <remarks>
    /// Keras counts per layer class over the whole session, so a model built after others (or one whose layers
    /// were named) has other names: read them from <c>model.summary()</c> or from the weights file, and pass them
    /// to <see cref="ToPyTorch(KerasFile, ReadOnlySpan{LayerDescription}, ReadOnlySpan{string}, KerasOptions?, bool)"/> instead.
    /// </remarks>
    /// <param name="layers">The model's layers, in order.</param>
    /// <returns>One name per layer.</returns>
    /// <exception cref="ArgumentException">A layer's kind is not a defined <see cref="LayerKind"/>.</exception>
    public static string[] DefaultLayerNames(ReadOnlySpan<LayerDescription> layers)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new string[layers.Length];
        for (int k = 0; k < layers.Length; k++)
        {
            string stem = LayerStem(layers[k].Kind, nameof(layers));
            if (layers[k].Bidirectional && layers[k].Kind != LayerKind.Dense)
            {
                // The wrapped layer takes its kind's next name too, as Keras builds it before wrapping it.
                counts[stem] = counts.GetValueOrDefault(stem) + 1;
                stem = "bidirectional";
            }

            int count = counts.GetValueOrDefault(stem);
            counts[stem] = count + 1;
            names[k] = count == 0 ? stem : string.Create(CultureInfo.InvariantCulture, $"{stem}_{count}");
        }

        return names;
    }

    private static void ValidateLayers(ReadOnlySpan<LayerDescription> layers, ReadOnlySpan<string> layerNames)
    {
        if (layers.IsEmpty)
        {
            throw new ArgumentException("The model has no layers.", nameof(layers));
        }

        if (layerNames.Length != layers.Length)
        {
            throw new ArgumentException($"Expected one Keras layer name per layer ({layers.Length}), got {layerNames.Length}.", nameof(layerNames));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < layers.Length; k++)
        {
            ArgumentException.ThrowIfNullOrEmpty(layerNames[k], nameof(layerNames));
            if (!seen.Add(layerNames[k]))
            {
                throw new ArgumentException($"Keras layer name '{layerNames[k]}' is given to more than one layer; Keras names are unique within a model.", nameof(layerNames));
            }

            _ = LayerStem(layers[k].Kind, nameof(layers));
            if (layers[k].InputSize < 1 || layers[k].Size < 1)
            {
                throw new ArgumentException($"Layer {k} has input size {layers[k].InputSize} and size {layers[k].Size}; both must be at least 1.", nameof(layers));
            }

            if (layers[k].Peepholes)
            {
                // Keras' LSTM layer has no peepholes; PeepholeLSTMCell (inside an RNN layer) is not read.
                throw new ArgumentException(
                    $"Layer {k} is {layers[k].Describe()}; Keras' LSTM layer has no peepholes, and FixedRnn does not read Keras' PeepholeLSTMCell. "
                    + "Load its weights from ONNX (OnnxWeights) or a file SavePyTorch wrote.", nameof(layers));
            }

            if (layers[k].ProjectionSize > 0)
            {
                throw new ArgumentException(
                    $"Layer {k} is {layers[k].Describe()}; Keras' LSTM layer has no projection (PyTorch's proj_size), so no Keras file holds its weight_hr. "
                    + "Load its weights from PyTorch (LoadPyTorch) or a file SavePyTorch wrote.", nameof(layers));
            }
        }
    }

    private static void CheckActivations(KerasOptions options, ReadOnlySpan<LayerDescription> layers)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RecurrentActivation, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Activation, nameof(options));

        bool gated = false;
        foreach (LayerDescription layer in layers)
        {
            gated |= layer.Kind is LayerKind.Lstm or LayerKind.Gru;
        }

        if (!gated)
        {
            return;
        }

        string recurrent = NormalizeActivation(options.RecurrentActivation);
        if (recurrent == "hardsigmoid")
        {
            throw new NotSupportedException(
                $"The Keras LSTM/GRU layers use recurrent_activation='{options.RecurrentActivation}', a piecewise-linear approximation of the sigmoid; "
                + "FixedRnn implements the logistic sigmoid for the gates, so these weights would compute different outputs. "
                + "Retrain the Keras model (or fine-tune it) with recurrent_activation='sigmoid', the default of TF2 Keras and Keras 3 "
                + "(TensorFlow.js and Keras 2.0 default to hard_sigmoid), and convert those weights.");
        }

        if (recurrent != "sigmoid")
        {
            throw new NotSupportedException(
                $"The Keras LSTM/GRU layers use recurrent_activation='{options.RecurrentActivation}'; FixedRnn implements the logistic sigmoid "
                + "for the gates (recurrent_activation='sigmoid') only. Retrain the Keras model with recurrent_activation='sigmoid' and convert those weights.");
        }

        if (NormalizeActivation(options.Activation) != "tanh")
        {
            throw new NotSupportedException(
                $"The Keras LSTM/GRU layers use activation='{options.Activation}'; FixedRnn's LSTM and GRU cells compute tanh (activation='tanh', "
                + "Keras' default) only. Retrain the Keras model with activation='tanh' and convert those weights.");
        }
    }

    /// <summary><c>"keras.activations.Hard_Sigmoid"</c> and <c>"hardSigmoid"</c> → <c>"hardsigmoid"</c>.</summary>
    private static string NormalizeActivation(string name)
    {
        string trimmed = name.Trim();
        trimmed = trimmed[(trimmed.LastIndexOf('.') + 1)..];
        return trimmed.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
    }

    private static string LayerStem(LayerKind kind, string paramName) => kind switch
    {
        LayerKind.Lstm => "lstm",
        LayerKind.Gru => "gru",
        LayerKind.Rnn => "simple_rnn",
        LayerKind.Dense => "dense",
        _ => throw new ArgumentException($"Layer kind {kind} is not a defined {nameof(LayerKind)}.", paramName),
    };

    /// <summary>
    /// The scope of one direction of the Bidirectional wrapper <paramref name="wrapper"/>: the one path segment under it
    /// that starts with <paramref name="prefix"/> (<c>forward_lstm</c>, or Keras 3's <c>forward_layer</c>).
    /// </summary>
    private static string DirectionScope(SafeTensorsFile keras, string wrapper, string prefix)
    {
        string[] scopes = keras.Names
            .Select(key => key.StartsWith("layers/", StringComparison.Ordinal) ? key["layers/".Length..] : key)
            .Where(key => key.StartsWith(wrapper + "/", StringComparison.Ordinal))
            .Select(key => key[(wrapper.Length + 1)..])
            .Select(rest => rest.StartsWith(wrapper + "/", StringComparison.Ordinal) ? rest[(wrapper.Length + 1)..] : rest) // an HDF5 layer group: W/W/…
            .Select(rest => rest.Contains('/', StringComparison.Ordinal) ? rest[..rest.IndexOf('/', StringComparison.Ordinal)] : rest)
            .Where(scope => scope.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return scopes.Length switch
        {
            1 => scopes[0],
            0 => throw new WeightFormatException(
                $"The Keras file has no tensor under '{wrapper}/{prefix}…', where a Bidirectional wrapper named '{wrapper}' keeps its {prefix.TrimEnd('_')} layer; "
                + "pass the wrapper's name as the layer's Keras name, or declare the layer without Bidirectional if the file's layer has one direction.",
                $"{wrapper}/{prefix}"),
            _ => throw new WeightFormatException(
                $"The Keras file has {scopes.Length} scopes under '{wrapper}' that could be its {prefix.TrimEnd('_')} layer ({string.Join(", ", scopes.Select(scope => $"'{scope}'"))}); keep one.",
                $"{wrapper}/{scopes[0]}"),
        };
    }

    private static void ConvertRecurrent(KerasLayer layer, PyTorchModuleNames modules, SafeTensorsWriter writer, string suffix)
    {
        LayerDescription description = layer.Description;
        int input = description.InputSize;
        int hidden = description.Size;
        (int gates, int[] order) = description.Kind switch
        {
            LayerKind.Lstm => (4, new[] { 0, 1, 2, 3 }), // Keras i, f, c, o = PyTorch i, f, g, o
            LayerKind.Gru => (3, new[] { 1, 0, 2 }),     // PyTorch r, z, n from Keras z, r, h
            _ => (1, new[] { 0 }),
        };
        int width = gates * hidden;

        float[] kernel = layer.ReadRequired(KerasParameter.Kernel, input, width);
        float[] recurrentKernel = layer.ReadRequired(KerasParameter.RecurrentKernel, hidden, width);

        float[] biasIh = new float[width];
        float[] biasHh = new float[width];
        string? biasKey = layer.Find(KerasParameter.Bias);
        if (biasKey is not null)
        {
            if (description.Kind == LayerKind.Gru)
            {
                layer.CheckGruForm(biasKey, width);
            }

            bool twoRows = description.Kind == LayerKind.Gru && description.ResetAfter;
            float[] bias = twoRows ? layer.Read(biasKey, KerasParameter.Bias, 2, width) : layer.Read(biasKey, KerasParameter.Bias, width);
            Reorder(bias.AsSpan(0, width), hidden, order, biasIh);
            if (twoRows)
            {
                Reorder(bias.AsSpan(width, width), hidden, order, biasHh);
            }
        }

        int k = layer.Index;
        writer.Add(modules.Recurrent(k, "weight_ih") + suffix, Transpose(kernel, input, hidden, order), width, input);
        writer.Add(modules.Recurrent(k, "weight_hh") + suffix, Transpose(recurrentKernel, hidden, hidden, order), width, hidden);
        writer.Add(modules.Recurrent(k, "bias_ih") + suffix, biasIh, width);
        writer.Add(modules.Recurrent(k, "bias_hh") + suffix, biasHh, width);
    }

    private static void ConvertDense(KerasLayer layer, PyTorchModuleNames modules, SafeTensorsWriter writer)
    {
        int input = layer.Description.InputSize;
        int outputs = layer.Description.Size;
        float[] kernel = layer.ReadRequired(KerasParameter.Kernel, input, outputs);
        string? biasKey = layer.Find(KerasParameter.Bias);
        float[] bias = biasKey is null ? new float[outputs] : layer.Read(biasKey, KerasParameter.Bias, outputs);

        writer.Add(modules.Linear(layer.Index, "weight"), Transpose(kernel, input, outputs, [0]), outputs, input);
        writer.Add(modules.Linear(layer.Index, "bias"), bias, outputs);
    }

    /// <summary>
    /// Keras <c>[rows, G·H]</c> (gate blocks in Keras' order) → PyTorch <c>[G·H, rows]</c>, where PyTorch's gate g
    /// is Keras' gate <c>order[g]</c>.
    /// </summary>
    private static float[] Transpose(float[] keras, int rows, int hidden, int[] order)
    {
        int width = order.Length * hidden;
        var result = new float[width * rows];
        for (int gate = 0; gate < order.Length; gate++)
        {
            for (int unit = 0; unit < hidden; unit++)
            {
                int source = order[gate] * hidden + unit;
                int destination = (gate * hidden + unit) * rows;
                for (int row = 0; row < rows; row++)
                {
                    result[destination + row] = keras[row * width + source];
                }
            }
        }

        return result;
    }

    private static void Reorder(ReadOnlySpan<float> keras, int hidden, int[] order, Span<float> destination)
    {
        for (int gate = 0; gate < order.Length; gate++)
        {
            keras.Slice(order[gate] * hidden, hidden).CopyTo(destination.Slice(gate * hidden, hidden));
        }
    }

    private enum KerasParameter
    {
        Kernel = 0,
        RecurrentKernel = 1,
        Bias = 2,
    }

    /// <summary>One layer's view of the Keras file: finds its tensors under Keras' spellings and reads them checked.</summary>
    private sealed class KerasLayer(SafeTensorsFile file, int index, LayerDescription description, string name, HashSet<string> used)
    {
        public int Index => index;

        public LayerDescription Description => description;

        private bool IsDense => description.Kind == LayerKind.Dense;

        private string CellScope => description.Kind switch
        {
            LayerKind.Lstm => "lstm_cell",
            LayerKind.Gru => "gru_cell",
            _ => "simple_rnn_cell",
        };

        private string What => description.Kind switch
        {
            LayerKind.Lstm => $"layer {index}, LSTM '{name}' {description.InputSize} → {description.Size}",
            LayerKind.Gru => $"layer {index}, {(description.ResetAfter ? "reset-after" : "reset-before")} GRU '{name}' {description.InputSize} → {description.Size}",
            LayerKind.Rnn => $"layer {index}, SimpleRNN '{name}' {description.InputSize} → {description.Size}",
            _ => $"layer {index}, Dense '{name}' {description.InputSize} → {description.Size}",
        };

        /// <summary>The key holding <paramref name="parameter"/>, or <see langword="null"/> if the file has none.</summary>
        public string? Find(KerasParameter parameter)
        {
            string? found = null;
            foreach (string key in file.Names)
            {
                if (!Matches(key, parameter))
                {
                    continue;
                }

                if (found is not null)
                {
                    string[] both = [found, key];
                    Array.Sort(both, StringComparer.Ordinal);
                    throw new WeightFormatException(
                        $"Keras tensors '{both[0]}' and '{both[1]}' could both be the {Describe(parameter)} of {What}; keep one.", both[0]);
                }

                found = key;
            }

            if (found is not null)
            {
                used.Add(found);
            }

            return found;
        }

        public float[] ReadRequired(KerasParameter parameter, params ReadOnlySpan<int> shape)
        {
            string? key = Find(parameter);
            if (key is null)
            {
                string expected = PrimaryName(parameter);
                throw new WeightFormatException(
                    $"Keras tensor '{expected}' (the {Describe(parameter)} of {What}) is missing; expected shape {Format(shape)}. "
                    + $"Also looked for {AlternativeNames(parameter)}. {Nearby()}",
                    expected);
            }

            return Read(key, parameter, shape);
        }

        public float[] Read(string key, KerasParameter parameter, params ReadOnlySpan<int> shape)
        {
            SafeTensorInfo info = file.GetInfo(key);
            if (!info.DType.IsConvertibleToSingle())
            {
                throw new WeightFormatException(
                    $"Keras tensor '{key}' (the {Describe(parameter)} of {What}) is {info.DType.GetHeaderName()}; expected a floating-point tensor of shape {Format(shape)}.", key);
            }

            if (!SameShape(info.Shape, shape))
            {
                throw new WeightFormatException(
                    $"Keras tensor '{key}' (the {Describe(parameter)} of {What}) has shape {Format(info.Shape)}; expected {Format(shape)}{Meaning(parameter, info.Shape)}.", key);
            }

            return file.ReadSingles(key);
        }

        /// <summary>What a Keras shape that differs from the declaration says about the file's layer: its units and inputs.</summary>
        private string Meaning(KerasParameter parameter, IReadOnlyList<long> actual)
        {
            int gates = description.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
            long columns = actual.Count > 0 ? actual[^1] : -1;
            if (columns < 0 || columns % gates != 0)
            {
                return string.Empty;
            }

            long units = columns / gates;
            var facts = new List<string>();
            if (units != description.Size)
            {
                facts.Add($"the file's layer has {units} unit{(units == 1 ? string.Empty : "s")}, the model declares {description.Size}");
            }

            if (parameter == KerasParameter.Kernel && actual.Count == 2 && actual[0] != description.InputSize)
            {
                facts.Add($"the file's layer reads {actual[0]} features, the model's layer {index} reads {description.InputSize}");
            }

            return facts.Count == 0 ? string.Empty : ": " + string.Join("; ", facts);
        }

        /// <summary>A GRU bias of the other reset_after form is a declaration mismatch, reported as such.</summary>
        public void CheckGruForm(string key, int width)
        {
            IReadOnlyList<long> shape = file.GetInfo(key).Shape;
            bool fileResetAfter = SameShape(shape, [2, width]);
            bool fileResetBefore = SameShape(shape, [width]);
            if (description.ResetAfter && fileResetBefore)
            {
                throw new WeightFormatException(
                    $"Keras tensor '{key}' (the bias of {What}) has shape {Format(shape)}: the file holds a reset-before GRU (Keras reset_after=False), "
                    + $"but the model declares layer {index} reset-after (ResetAfter = true, the default). "
                    + $"Declare it [Gru({description.Size}, ResetAfter = false)] to match the file.",
                    key);
            }

            if (!description.ResetAfter && fileResetAfter)
            {
                throw new WeightFormatException(
                    $"Keras tensor '{key}' (the bias of {What}) has shape {Format(shape)}: the file holds a reset-after GRU (Keras reset_after=True, its default), "
                    + $"but the model declares layer {index} reset-before (ResetAfter = false). "
                    + $"Declare it [Gru({description.Size})] to match the file.",
                    key);
            }
        }

        private bool Matches(string key, KerasParameter parameter)
        {
            // Keras 3 .weights.h5: layers/N/cell/vars/i, layers/N/vars/i.
            string vars = IsDense
                ? $"layers/{name}/vars/{(parameter == KerasParameter.Bias ? 1 : 0)}"
                : $"layers/{name}/cell/vars/{(int)parameter}";
            if (key == vars)
            {
                return true;
            }

            // N[/N][/cell[_n]]/parameter[:0]; a Bidirectional wrapper's direction W/D, in an HDF5 layer group W/W/D.
            ReadOnlySpan<char> rest = key;
            int slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && rest.StartsWith($"{name[..slash]}/{name[..slash]}/", StringComparison.Ordinal))
            {
                rest = rest[(slash + 1)..];
            }

            string prefix = name + "/";
            if (!rest.StartsWith(prefix, StringComparison.Ordinal))
            {
                return false;
            }

            rest = rest[prefix.Length..];
            if (rest.StartsWith(prefix, StringComparison.Ordinal))
            {
                rest = rest[prefix.Length..];
            }

            if (rest.EndsWith(":0", StringComparison.Ordinal))
            {
                rest = rest[..^2];
            }

            string leaf = Leaf(parameter);
            if (rest.SequenceEqual(leaf))
            {
                return true;
            }

            if (IsDense || !rest.EndsWith("/" + leaf, StringComparison.Ordinal))
            {
                return false;
            }

            ReadOnlySpan<char> scope = rest[..^(leaf.Length + 1)];
            if (!scope.StartsWith(CellScope, StringComparison.Ordinal))
            {
                return false;
            }

            scope = scope[CellScope.Length..];
            return scope.IsEmpty || (scope.Length > 1 && scope[0] == '_' && IsDigits(scope[1..]));
        }

        private string PrimaryName(KerasParameter parameter)
            => IsDense ? $"{name}/{Leaf(parameter)}:0" : $"{name}/{CellScope}/{Leaf(parameter)}:0";

        private string AlternativeNames(KerasParameter parameter)
        {
            string leaf = Leaf(parameter);
            return IsDense
                ? $"'{name}/{leaf}', '{name}/{name}/{leaf}[:0]' and 'layers/{name}/vars/{(parameter == KerasParameter.Bias ? 1 : 0)}'"
                : $"'{name}/{CellScope}/{leaf}', '{name}/{CellScope}_{{n}}/{leaf}[:0]', '{name}/{leaf}[:0]', '{name}/{name}/{CellScope}/{leaf}[:0]' "
                  + $"and 'layers/{name}/cell/vars/{(int)parameter}'";
        }

        /// <summary>What the file has under this layer's name, or which layer names it has, to point at a misnaming.</summary>
        private string Nearby()
        {
            const int Shown = 8;
            string[] under = file.Names
                .Where(key => key.StartsWith(name + "/", StringComparison.Ordinal) || key.StartsWith($"layers/{name}/", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (under.Length > 0)
            {
                return $"The file has under '{name}': {List(under, Shown)}.";
            }

            string[] scopes = file.Names
                .Select(key => key.StartsWith("layers/", StringComparison.Ordinal) ? key["layers/".Length..] : key)
                .Select(key => key.Contains('/', StringComparison.Ordinal) ? key[..key.IndexOf('/', StringComparison.Ordinal)] : key)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToArray();
            return scopes.Length == 0
                ? "The file has no tensors."
                : $"The file has no tensor under '{name}'; its top-level names are {List(scopes, Shown)}. Pass the Keras layer names the model used.";
        }

        private static string List(string[] items, int shown)
        {
            string listed = string.Join(", ", items.Take(shown).Select(item => $"'{item}'"));
            return items.Length > shown ? $"{listed} and {items.Length - shown} more" : listed;
        }

        private static string Leaf(KerasParameter parameter) => parameter switch
        {
            KerasParameter.Kernel => "kernel",
            KerasParameter.RecurrentKernel => "recurrent_kernel",
            _ => "bias",
        };

        private static string Describe(KerasParameter parameter) => parameter switch
        {
            KerasParameter.Kernel => "kernel",
            KerasParameter.RecurrentKernel => "recurrent kernel",
            _ => "bias",
        };

        private static bool IsDigits(ReadOnlySpan<char> text)
        {
            foreach (char c in text)
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }
            }

            return true;
        }

        private static bool SameShape(IReadOnlyList<long> actual, ReadOnlySpan<int> expected)
        {
            if (actual.Count != expected.Length)
            {
                return false;
            }

            for (int i = 0; i < expected.Length; i++)
            {
                if (actual[i] != expected[i])
                {
                    return false;
                }
            }

            return true;
        }

        private static string Format(IReadOnlyList<long> shape) => $"[{string.Join(", ", shape)}]";

        private static string Format(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";
    }
}
