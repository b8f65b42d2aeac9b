using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

/// <summary>
/// Imports the weights of an ONNX model (<c>.onnx</c>, such as <c>torch.onnx.export</c> writes) into
/// a FixedRnn model: the graph's <c>LSTM</c>, <c>GRU</c> and <c>RNN</c> nodes and its Dense head are
/// converted to the PyTorch <c>state_dict</c> the model's <c>LoadPyTorch</c> reads.
/// </summary>
/// <remarks>
/// <para>
/// <c>model.LoadPyTorch(OnnxWeights.ToPyTorch("model.onnx", layers))</c>, where <c>layers</c>
/// describes the model's layers in order. The result names layer k's tensors <c>layers.{k}.…</c>
/// (<see cref="PyTorchModuleNames.ModuleList"/>): <c>weight_ih_l0</c> <c>[G·H, I]</c>,
/// <c>weight_hh_l0</c> <c>[G·H, H]</c>, <c>bias_ih_l0</c> and <c>bias_hh_l0</c> <c>[G·H]</c> for a
/// recurrent layer, in PyTorch's gate order (LSTM <c>i, f, g, o</c>; GRU <c>r, z, n</c>), and
/// <c>weight</c> <c>[O, I]</c> and <c>bias</c> <c>[O]</c> for the Dense head.
/// </para>
/// <para>
/// Mapping. The recurrent nodes of the main graph, in file order (ONNX stores nodes topologically
/// sorted), are the model's recurrent layers in order: their number and kinds must agree. ONNX's gate
/// orders (LSTM <c>i, o, f, c</c>; GRU <c>z, r, h</c>) are reordered to PyTorch's, <c>B</c>'s first
/// half becomes <c>bias_ih</c> and its second half <c>bias_hh</c>, and a node without <c>B</c> gets zero
/// biases. An LSTM layer declared with <see cref="LayerDescription.Peepholes"/> reads <c>P</c> (<c>p_i, p_o, p_f</c>)
/// into <c>weight_peephole</c> (<c>p_i, p_f, p_o</c>); without <c>P</c> its peepholes are zero, as the operator defines. A GRU's <c>linear_before_reset</c> must match the layer's
/// <see cref="LayerDescription.ResetAfter"/>: 1 is PyTorch's reset-after form, 0 (ONNX's default) the
/// reset-before form of <c>[Gru(h, ResetAfter = false)]</c>. The Dense head, when the model has one, is
/// the one <c>Gemm</c> (<c>alpha = beta = 1</c>, <c>transA = 0</c>, either <c>transB</c>) or <c>MatMul</c>
/// with a constant right operand (plus the <c>Add</c> of a constant bias that consumes its output, as
/// PyTorch exports <c>nn.Linear</c> on a 3-D input) after the last recurrent node. Weights are read from
/// initializers or <c>Constant</c> nodes, as FLOAT, DOUBLE, FLOAT16 or BFLOAT16.
/// </para>
/// <para>
/// The graph must compute exactly the declared model: a data-flow check (<c>OnnxWeights.DataFlow.cs</c>) follows
/// the graph input through every node to the graph's output and accepts the recurrent nodes, the head and its
/// activation (which must be the declared Dense activation; an <c>RNN</c> node's activation must be the declared
/// RNN activation), and the shape plumbing exporters emit around them; any other node, a branch, a value used
/// before it is defined or defined twice, a dangling node, a repeated or conflicting attribute, a value outside
/// its type's range, <c>sequence_lens</c>, and (when strict) an initializer no computed node reads, are rejected
/// naming the node and op. Initial states must be zero (constants, or built from the input's shape with
/// <c>Expand</c>/<c>ConstantOfShape</c>) or graph inputs, whose role the caller's <c>State</c> plays; a
/// recurrent node's final-state outputs may be graph outputs (they are the <c>State</c> after the sequence).
/// </para>
/// <para>
/// A layer declared <see cref="LayerDescription.Bidirectional"/> (with <see cref="BidirectionalMerge.Concat"/>, ONNX's
/// only form) reads a node of <c>direction = "bidirectional"</c>: the first half of its <c>W</c>, <c>R</c>, <c>B</c>
/// (and <c>P</c>) is the forward direction, the second the reverse one (PyTorch's <c>*_reverse</c>). Its output
/// <c>Y</c>, <c>[T, 2, B, H]</c>, is read as the layer's output once the exporters' <c>Transpose</c> to
/// <c>[T, B, 2, H]</c> and <c>Reshape</c> to <c>[T, B, 2·H]</c> have concatenated the directions, as
/// <c>torch.onnx.export</c> writes a bidirectional module; a head or a layer that reads the directions otherwise is rejected.
/// </para>
/// <para>
/// Rejected with a <see cref="WeightFormatException"/> that names the node and attribute:
/// <c>direction = "reverse"</c> (a reverse-only layer, which FixedRnn computes only as half of a bidirectional one),
/// a bidirectional node for a layer declared with one direction and the converse, <c>clip</c>,
/// <c>input_forget = 1</c>, peepholes (a non-empty <c>P</c> input) into a layer declared without
/// <c>Peepholes = true</c>, <c>layout = 1</c>,
/// <c>activation_alpha</c>/<c>activation_beta</c> and activations other than the defaults (LSTM
/// <c>Sigmoid, Tanh, Tanh</c>; GRU <c>Sigmoid, Tanh</c>; RNN <c>Tanh</c> or <c>Relu</c>), attributes the
/// operator does not define, a <c>hidden_size</c> or weight shape that disagrees with the model, a
/// different number or order of layers, weights stored in external data files or supplied as graph
/// inputs, nodes in sub-graphs (<c>Loop</c>, <c>Scan</c>, <c>If</c> bodies are not searched), and any
/// malformed protobuf.
/// </para>
/// </remarks>
public static partial class OnnxWeights
{
    /// <summary>The largest <c>.onnx</c> file read: protobuf's own limit for one message, 2 GiB.</summary>
    public const long MaxFileLength = int.MaxValue;

    private const string DefaultDomain = "ai.onnx";

    /// <summary>Reads an ONNX model file and converts its weights to the PyTorch tensors of a FixedRnn model.</summary>
    /// <param name="path">The <c>.onnx</c> file.</param>
    /// <param name="layers">The model's layers in order, as its declaration lists them.</param>
    /// <param name="strict">Whether every initializer must be read by a node the model computes.</param>
    /// <returns>An in-memory safetensors file with layer k's tensors under <c>layers.{k}.</c>, for <c>LoadPyTorch</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or <paramref name="layers"/> does not describe a model
    /// (no recurrent layer, a size below 1, or a Dense layer that is not last), or declares an LSTM with a projection, which ONNX's LSTM does not have.</exception>
    /// <exception cref="WeightFormatException">The file is not a well-formed ONNX model, or its graph does not match <paramref name="layers"/>.</exception>
    /// <exception cref="IOException">The file cannot be read (including <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
    public static SafeTensorsFile ToPyTorch(string path, ReadOnlySpan<LayerDescription> layers, bool strict = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateLayers(layers);
        byte[] bytes = WeightFileReader.ReadAll(path, "ONNX", MaxFileLength);
        try
        {
            return Convert(bytes, layers, strict);
        }
        catch (WeightFormatException ex)
        {
            throw new WeightFormatException($"'{path}': {ex.Message}", ex.TensorName, ex);
        }
    }

    /// <summary>Converts the weights of an ONNX model held in memory to the PyTorch tensors of a FixedRnn model.</summary>
    /// <param name="model">The serialized <c>ModelProto</c>; copied.</param>
    /// <param name="layers">The model's layers in order, as its declaration lists them.</param>
    /// <param name="strict">Whether every initializer must be read by a node the model computes.</param>
    /// <returns>An in-memory safetensors file with layer k's tensors under <c>layers.{k}.</c>, for <c>LoadPyTorch</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="layers"/> does not describe a model
    /// (no recurrent layer, a size below 1, or a Dense layer that is not last), or declares an LSTM with a projection, which ONNX's LSTM does not have.</exception>
    /// <exception cref="WeightFormatException">The bytes are not a well-formed ONNX model, or its graph does not match <paramref name="layers"/>.</exception>
    public static SafeTensorsFile ToPyTorch(ReadOnlySpan<byte> model, ReadOnlySpan<LayerDescription> layers, bool strict = true)
    {
        ValidateLayers(layers);
        return Convert(model.ToArray(), layers, strict);
    }

    private static void ValidateLayers(ReadOnlySpan<LayerDescription> layers)
    {
        bool anyRecurrent = false;
        for (int k = 0; k < layers.Length; k++)
        {
            LayerDescription layer = layers[k];
            if (layer.Kind is not (LayerKind.Lstm or LayerKind.Gru or LayerKind.Rnn or LayerKind.Dense))
            {
                throw new ArgumentException($"Layer {k} has undefined kind {(int)layer.Kind}.", nameof(layers));
            }

            if (layer.InputSize < 1 || layer.Size < 1)
            {
                throw new ArgumentException($"Layer {k} ({layer.Kind}) has sizes {layer.InputSize} → {layer.Size}; both must be at least 1.", nameof(layers));
            }

            if (layer.ProjectionSize > 0)
            {
                throw new ArgumentException(
                    $"Layer {k} is {layer.Describe()}; the ONNX LSTM operator has no projection (PyTorch's proj_size; torch.onnx.export refuses it too), "
                    + "so no ONNX graph computes it. Load its weights from PyTorch (LoadPyTorch) or a file SavePyTorch wrote.", nameof(layers));
            }

            if (layer.Kind == LayerKind.Dense && k != layers.Length - 1)
            {
                throw new ArgumentException($"Layer {k} is Dense but not the last layer.", nameof(layers));
            }

            anyRecurrent |= layer.Kind != LayerKind.Dense;
        }

        if (!anyRecurrent)
        {
            throw new ArgumentException("The layers include no recurrent layer.", nameof(layers));
        }
    }

    private static SafeTensorsFile Convert(byte[] bytes, ReadOnlySpan<LayerDescription> layers, bool strict)
    {
        OnnxGraph graph = OnnxProtoReader.ReadModel(bytes);
        var constants = new Constants(graph);
        LayerDescription[] declared = layers.ToArray();
        CheckRecurrentNodes(graph, declared);
        GraphPlan plan = DataFlow.Analyze(graph, declared, constants, strict, bytes.Length);

        var names = new PyTorchModuleNames(PyTorchModuleNames.ModuleList(layers.Length), layers.Length);
        var writer = new SafeTensorsWriter();
        foreach ((OnnxNode node, int k) in plan.Recurrent)
        {
            ConvertRecurrent(node, k, layers[k], constants, names, writer);
        }

        if (plan.Head is not null)
        {
            int denseLayer = layers.Length - 1;
            ConvertDense(new Candidate(LayerKind.Dense, plan.Head, plan.HeadBias), denseLayer, layers[denseLayer], constants, names, writer);
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>The graph's recurrent nodes against the declared recurrent layers: the same number, kinds and order.</summary>
    private static void CheckRecurrentNodes(OnnxGraph graph, LayerDescription[] layers)
    {
        List<(OnnxNode Node, LayerKind Kind)> recurrentNodes = graph.Nodes
            .Where(node => node.Domain.Length == 0 || node.Domain == DefaultDomain)
            .Select(node => (node, Kind: node.OpType switch { "LSTM" => LayerKind.Lstm, "GRU" => LayerKind.Gru, "RNN" => LayerKind.Rnn, _ => LayerKind.Dense }))
            .Where(entry => entry.Kind != LayerKind.Dense)
            .ToList();
        List<int> recurrentLayers = Enumerable.Range(0, layers.Length).Where(k => layers[k].Kind != LayerKind.Dense).ToList();
        if (recurrentNodes.Count != recurrentLayers.Count)
        {
            string found = recurrentNodes.Count == 0
                ? "no LSTM, GRU or RNN node in its main graph"
                : $"{recurrentNodes.Count} recurrent node{(recurrentNodes.Count == 1 ? string.Empty : "s")} ({string.Join(", ", recurrentNodes.Select(c => c.Node.Describe()))})";
            throw new WeightFormatException(
                $"The ONNX graph has {found}, but the model declares {recurrentLayers.Count} recurrent layer{(recurrentLayers.Count == 1 ? string.Empty : "s")} ({string.Join(", ", recurrentLayers.Select(k => layers[k].Kind))}).");
        }

        for (int r = 0; r < recurrentNodes.Count; r++)
        {
            LayerDescription layer = layers[recurrentLayers[r]];
            if (recurrentNodes[r].Kind != layer.Kind)
            {
                throw new WeightFormatException(
                    $"Recurrent node {r} of the ONNX graph, {recurrentNodes[r].Node.Describe()}, is {recurrentNodes[r].Kind}, but the model's recurrent layer {r} (layer {recurrentLayers[r]}) is {layer.Kind}; the layers must be declared in the graph's order.");
            }
        }
    }

    private static void ConvertRecurrent(OnnxNode node, int k, LayerDescription layer, Constants constants, PyTorchModuleNames names, SafeTensorsWriter writer)
    {
        string op = node.OpType;
        int gates = layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
        int hidden = layer.Size;
        string where = RecurrentWhere(node, k, layer);

        CheckRecurrentAttributes(node, k, layer, where);

        bool filePeepholes = layer.Kind == LayerKind.Lstm && node.Input(7).Length != 0;
        if (filePeepholes && !layer.Peepholes)
        {
            throw new WeightFormatException(
                $"{where} has peephole weights (input P '{node.Input(7)}'), but layer {k} is declared without them; declare it [Lstm({hidden}, Peepholes = true)] to compute them.", node.Input(7));
        }

        RejectNonZeroInitialState(node, 5, "initial_h", constants, where);
        if (layer.Kind == LayerKind.Lstm)
        {
            RejectNonZeroInitialState(node, 6, "initial_c", constants, where);
        }

        int directions = Directions(layer);
        float[] w = constants.Read(node, 1, "W", where, required: true, directions, gates * hidden, layer.InputSize)!;
        float[] rw = constants.Read(node, 2, "R", where, required: true, directions, gates * hidden, hidden)!;
        float[] b = constants.Read(node, 3, "B", where, required: false, directions, 2 * gates * hidden) ?? new float[directions * 2 * gates * hidden];
        float[]? p = layer.Kind == LayerKind.Lstm && layer.Peepholes
            ? filePeepholes ? constants.Read(node, 7, "P", where, required: true, directions, 3 * hidden)! : new float[directions * 3 * hidden]
            : null;

        // PyTorch gate p is ONNX gate order[p]: LSTM i,f,g,o from i,o,f,c; GRU r,z,n from z,r,h.
        int[] order = layer.Kind switch
        {
            LayerKind.Lstm => [0, 2, 3, 1],
            LayerKind.Gru => [1, 0, 2],
            _ => [0],
        };

        int rows = gates * hidden;
        for (int direction = 0; direction < directions; direction++)
        {
            // Direction 0 is the forward one; a bidirectional node's direction 1 is PyTorch's *_reverse.
            string suffix = direction == 0 ? string.Empty : "_reverse";
            writer.Add(names.Recurrent(k, "weight_ih") + suffix, ReorderGates(w.AsSpan(direction * rows * layer.InputSize, rows * layer.InputSize), order, hidden, layer.InputSize), rows, layer.InputSize);
            writer.Add(names.Recurrent(k, "weight_hh") + suffix, ReorderGates(rw.AsSpan(direction * rows * hidden, rows * hidden), order, hidden, hidden), rows, hidden);
            writer.Add(names.Recurrent(k, "bias_ih") + suffix, ReorderGates(b.AsSpan(direction * 2 * rows, rows), order, hidden, 1), rows);
            writer.Add(names.Recurrent(k, "bias_hh") + suffix, ReorderGates(b.AsSpan((direction * 2 * rows) + rows, rows), order, hidden, 1), rows);
            if (p is not null)
            {
                // ONNX's P is [directions, 3·H], p_i, p_o, p_f; FixedRnn's weight_peephole is p_i, p_f, p_o. A node without P
                // has zero peepholes (the operator's default), which a peephole layer computes exactly.
                writer.Add(names.Recurrent(k, "weight_peephole") + suffix, ReorderGates(p.AsSpan(direction * 3 * hidden, 3 * hidden), [0, 2, 1], hidden, 1), 3 * hidden);
            }
        }
    }

    /// <summary>The directions of an ONNX node that computes <paramref name="layer"/>: 2 for a bidirectional layer.</summary>
    private static int Directions(LayerDescription layer) => layer.Bidirectional ? 2 : 1;

    private static string RecurrentWhere(OnnxNode node, int k, LayerDescription layer)
        => $"{node.Describe()} (layer {k}, {layer.Kind} {layer.InputSize} → {layer.Size})";

    /// <summary>The attributes and weight shapes of a recurrent node, checked before the data-flow check looks at its inputs.</summary>
    private static void CheckRecurrentNode(OnnxNode node, int k, LayerDescription layer, Constants constants)
    {
        string where = RecurrentWhere(node, k, layer);
        CheckRecurrentAttributes(node, k, layer, where);
        int rows = (layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 }) * layer.Size;
        if (node.Input(1).Length == 0 || node.Input(2).Length == 0)
        {
            throw new WeightFormatException($"{where} has no input {(node.Input(1).Length == 0 ? "W" : "R")}.");
        }

        constants.CheckShape(node, 1, "W", where, Directions(layer), rows, layer.InputSize);
        constants.CheckShape(node, 2, "R", where, Directions(layer), rows, layer.Size);
    }

    private static float[] ReorderGates(ReadOnlySpan<float> source, int[] order, int hidden, int columns)
    {
        var result = new float[source.Length];
        int block = hidden * columns;
        for (int gate = 0; gate < order.Length; gate++)
        {
            source.Slice(order[gate] * block, block).CopyTo(result.AsSpan(gate * block, block));
        }

        return result;
    }

    private static void CheckRecurrentAttributes(OnnxNode node, int k, LayerDescription layer, string where)
    {
        string[] known = layer.Kind switch
        {
            LayerKind.Lstm => ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "input_forget", "layout"],
            LayerKind.Gru => ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout", "linear_before_reset"],
            _ => ["activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size", "layout"],
        };
        foreach (OnnxAttribute attribute in node.Attributes)
        {
            if (Array.IndexOf(known, attribute.Name) < 0)
            {
                throw new WeightFormatException($"{where} has attribute '{attribute.Name}', which {node.OpType} does not define.");
            }
        }

        // Direction first: a bidirectional node's other attributes (two activation lists) only make sense for it.
        string direction = StringAttribute(node, "direction", "forward", where);
        string declare = $"[{layer.Kind}({layer.Size}{(layer.Kind == LayerKind.Gru && !layer.ResetAfter ? ", ResetAfter = false" : string.Empty)}, Bidirectional = true)]";
        switch (direction)
        {
            case "forward" when layer.Bidirectional:
                throw new WeightFormatException(
                    $"{where} runs forward only (direction = 'forward'{(node.Attribute("direction") is null ? ", ONNX's default" : string.Empty)}), but layer {k} is declared bidirectional; declare it without Bidirectional to match the file.");
            case "forward":
                break;
            case "bidirectional" when !layer.Bidirectional:
                throw new WeightFormatException(
                    $"{where} has attribute direction = 'bidirectional', but layer {k} is declared with one direction; declare it {declare} (ONNX concatenates the directions, the default Merge).");
            case "bidirectional" when layer.Merge != BidirectionalMerge.Concat:
                throw new WeightFormatException(
                    $"{where} has attribute direction = 'bidirectional', whose output holds both directions, which the importer reads concatenated; layer {k} is declared Merge = {layer.Merge}. "
                    + "Declare Merge = BidirectionalMerge.Concat (the default), or load the weights from the Keras file, whose Bidirectional wrapper records its merge mode.");
            case "bidirectional":
                break;
            case "reverse":
                throw new WeightFormatException(
                    $"{where} has attribute direction = 'reverse': a reverse-only layer, which FixedRnn computes only as the second half of a bidirectional layer ({declare}). "
                    + "Export the layer bidirectional, or reverse the sequence before a forward layer.");
            default:
                throw new WeightFormatException($"{where} has attribute direction = '{direction}'; ONNX defines 'forward', 'reverse' and 'bidirectional'.");
        }

        long layout = IntAttribute(node, "layout", 0, where);
        if (layout != 0)
        {
            throw new WeightFormatException($"{where} has attribute layout = {layout}; only layout = 0 (sequence-major) is supported.");
        }

        if (node.Attribute("clip") is { } clip)
        {
            throw new WeightFormatException(
                $"{where} has attribute clip = {(clip.HasF ? clip.F.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}; cell clipping is not supported.");
        }

        if (layer.Kind == LayerKind.Lstm)
        {
            long inputForget = IntAttribute(node, "input_forget", 0, where);
            if (inputForget != 0)
            {
                throw new WeightFormatException($"{where} has attribute input_forget = {inputForget}; coupled input and forget gates are not supported.");
            }
        }

        foreach (string name in (ReadOnlySpan<string>)["activation_alpha", "activation_beta"])
        {
            if (node.Attribute(name) is { } parameters && (parameters.Floats.Count > 0 || parameters.HasF))
            {
                throw new WeightFormatException(
                    $"{where} has attribute {name} = [{string.Join(", ", parameters.Floats.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]; parameterized activations are not supported.");
            }
        }

        if (node.Attribute("activations") is { } activations)
        {
            CheckActivations(activations, layer.Kind, Directions(layer), where);
        }

        if (layer.Kind == LayerKind.Rnn)
        {
            // ONNX's RNN defaults to Tanh; the model's declared activation must be the file's, or it computes something else.
            // A bidirectional node lists one activation per direction; CheckActivations made them agree.
            bool relu = node.Attribute("activations") is { Strings: [string first, ..] } && string.Equals(first, "Relu", StringComparison.OrdinalIgnoreCase);
            LayerActivation file = relu ? LayerActivation.Relu : LayerActivation.Tanh;
            if (file != layer.EffectiveActivation)
            {
                throw new WeightFormatException(
                    $"{where} computes {LayerDescription.Name(file)}{(node.Attribute("activations") is null ? " (ONNX's default)" : string.Empty)}, but layer {k} is declared {layer.Describe()}; "
                    + $"declare it [Rnn({layer.Size}, Activation = RnnActivation.{(relu ? "Relu" : "Tanh")})] to match the file.");
            }
        }

        if (layer.Kind == LayerKind.Gru)
        {
            long linearBeforeReset = IntAttribute(node, "linear_before_reset", 0, where);
            if (linearBeforeReset is not (0 or 1))
            {
                throw new WeightFormatException($"{where} has attribute linear_before_reset = {linearBeforeReset}; expected 0 or 1.");
            }

            bool fileResetAfter = linearBeforeReset == 1;
            if (fileResetAfter != layer.ResetAfter)
            {
                throw new WeightFormatException(fileResetAfter
                    ? $"{where} has attribute linear_before_reset = 1: the file holds the reset-after GRU (PyTorch's, n = tanh(W_n x + b_in + r*(U_n h + b_hn))), but layer {k} is declared ResetAfter = false; declare it [Gru({layer.Size})]."
                    : $"{where} has linear_before_reset = 0{(node.Attribute("linear_before_reset") is null ? " (ONNX's default)" : string.Empty)}: the file holds the reset-before GRU (n = tanh(W_n x + b_in + U_n (r*h) + b_hn)), but layer {k} is declared ResetAfter = true; declare it [Gru({layer.Size}, ResetAfter = false)].");
            }
        }

        if (node.Attribute("hidden_size") is not null)
        {
            long hiddenSize = IntAttribute(node, "hidden_size", 0, where);
            if (hiddenSize != layer.Size)
            {
                throw new WeightFormatException($"{where} has attribute hidden_size = {hiddenSize}, but layer {k} is declared with {layer.Size} hidden units.");
            }
        }
    }

    private static void CheckActivations(OnnxAttribute activations, LayerKind kind, int directions, string where)
    {
        string[] perDirection = kind switch
        {
            LayerKind.Lstm => ["Sigmoid", "Tanh", "Tanh"],
            LayerKind.Gru => ["Sigmoid", "Tanh"],
            _ => ["Tanh"],
        };
        string[] expected = Enumerable.Repeat(perDirection, directions).SelectMany(list => list).ToArray();
        List<string> actual = activations.Strings;
        bool ok = actual.Count == expected.Length;
        for (int i = 0; ok && i < actual.Count; i++)
        {
            ok = string.Equals(actual[i], expected[i], StringComparison.OrdinalIgnoreCase)
                || (kind == LayerKind.Rnn && string.Equals(actual[i], "Relu", StringComparison.OrdinalIgnoreCase));
        }

        // An RNN's directions must compute one activation: the layer declares one.
        ok &= kind != LayerKind.Rnn || actual.Distinct(StringComparer.OrdinalIgnoreCase).Count() == 1;

        if (!ok)
        {
            string supported = kind == LayerKind.Rnn
                ? $"[{string.Join(", ", Enumerable.Repeat("Tanh", directions))}] or [{string.Join(", ", Enumerable.Repeat("Relu", directions))}] (the model's declared activation must match)"
                : $"[{string.Join(", ", expected)}]";
            throw new WeightFormatException(
                $"{where} has attribute activations = [{string.Join(", ", actual)}]; only {supported} is supported.");
        }
    }

    private static string StringAttribute(OnnxNode node, string name, string fallback, string where)
    {
        OnnxAttribute? attribute = node.Attribute(name);
        if (attribute is null)
        {
            return fallback;
        }

        if (attribute.EffectiveType != OnnxAttributeType.String)
        {
            throw new WeightFormatException($"{where} has attribute {name} of type {attribute.EffectiveType}; expected a string.");
        }

        return attribute.S;
    }

    private static long IntAttribute(OnnxNode node, string name, long fallback, string where)
    {
        OnnxAttribute? attribute = node.Attribute(name);
        if (attribute is null)
        {
            return fallback;
        }

        if (attribute.EffectiveType != OnnxAttributeType.Int)
        {
            throw new WeightFormatException($"{where} has attribute {name} of type {attribute.EffectiveType}; expected an integer.");
        }

        return attribute.I;
    }

    private static float FloatAttribute(OnnxNode node, string name, float fallback, string where)
    {
        OnnxAttribute? attribute = node.Attribute(name);
        if (attribute is null)
        {
            return fallback;
        }

        if (attribute.EffectiveType != OnnxAttributeType.Float)
        {
            throw new WeightFormatException($"{where} has attribute {name} of type {attribute.EffectiveType}; expected a float.");
        }

        return attribute.F;
    }

    private static void RejectNonZeroInitialState(OnnxNode node, int input, string role, Constants constants, string where)
    {
        string name = node.Input(input);
        if (name.Length == 0 || !constants.TryGet(name, out OnnxTensor? tensor))
        {
            // Absent, or computed at run time (PyTorch exports zeros expanded to the batch size): the caller's State supplies it.
            return;
        }

        float[] values = tensor.ToSingles($"Input {role} '{name}' of {where}");
        if (values.Any(v => v != 0))
        {
            throw new WeightFormatException(
                $"{where} has a non-zero constant {role} ('{name}'); FixedRnn starts from the State the caller passes, so the file's initial state would be lost.", name);
        }
    }

    private static void ConvertDense(Candidate head, int k, LayerDescription layer, Constants constants, PyTorchModuleNames names, SafeTensorsWriter writer)
    {
        OnnxNode node = head.Node;
        string where = $"{node.Describe()} (layer {k}, {layer.Describe()})";
        float[] weight;
        float[]? bias;
        if (node.OpType == "Gemm")
        {
            foreach (OnnxAttribute attribute in node.Attributes)
            {
                if (attribute.Name is not ("alpha" or "beta" or "transA" or "transB"))
                {
                    throw new WeightFormatException($"{where} has attribute '{attribute.Name}', which Gemm does not define.");
                }
            }

            foreach (string name in (ReadOnlySpan<string>)["alpha", "beta"])
            {
                float value = FloatAttribute(node, name, 1f, where);
                if (value != 1f)
                {
                    throw new WeightFormatException(
                        $"{where} has attribute {name} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; only 1 is supported.");
                }
            }

            long transA = IntAttribute(node, "transA", 0, where);
            if (transA != 0)
            {
                throw new WeightFormatException($"{where} has attribute transA = {transA}; only transA = 0 is supported.");
            }

            long transB = IntAttribute(node, "transB", 0, where);
            if (transB is not (0 or 1))
            {
                throw new WeightFormatException($"{where} has attribute transB = {transB}; expected 0 or 1.");
            }

            weight = transB == 1
                ? constants.Read(node, 1, "B", where, required: true, layer.Size, layer.InputSize)!
                : Transpose(constants.Read(node, 1, "B", where, required: true, layer.InputSize, layer.Size)!, layer.InputSize, layer.Size);
            bias = ReadBias(node, 2, "C", layer.Size, constants, where);
        }
        else
        {
            weight = Transpose(constants.Read(node, 1, "B", where, required: true, layer.InputSize, layer.Size)!, layer.InputSize, layer.Size);
            bias = null;
            if (head.BiasAdd is { } add)
            {
                int operand = constants.Contains(add.Input(0)) ? 0 : 1;
                if (add.Inputs.Count != 2 || !constants.Contains(add.Inputs[operand]))
                {
                    throw new WeightFormatException(
                        $"{add.Describe()} adds something other than a constant bias to the output of {where}.");
                }

                bias = ReadBias(add, operand, "bias", layer.Size, constants, $"{add.Describe()} (bias of layer {k})");
            }
        }

        writer.Add(names.Linear(k, "weight"), weight, layer.Size, layer.InputSize);
        writer.Add(names.Linear(k, "bias"), bias ?? new float[layer.Size], layer.Size);
    }

    /// <summary>A bias broadcast over the outputs: <c>[O]</c>, <c>[1, O]</c>, … or a single value.</summary>
    private static float[]? ReadBias(OnnxNode node, int input, string role, int outputs, Constants constants, string where)
    {
        string name = node.Input(input);
        if (name.Length == 0)
        {
            return null;
        }

        OnnxTensor tensor = constants.Get(name, role, where);
        string context = $"Input {role} '{name}' of {where}";
        bool leadingOnes = tensor.Dims.Take(Math.Max(0, tensor.Dims.Count - 1)).All(d => d == 1);
        long last = tensor.Dims.Count == 0 ? 1 : tensor.Dims[^1];
        if (!leadingOnes || (last != outputs && last != 1))
        {
            throw new WeightFormatException($"{context} has shape {tensor.FormatDims()}; expected [{outputs}] (or a shape that broadcasts to it).", name);
        }

        float[] values = tensor.ToSingles(context);
        if (values.Length == outputs)
        {
            return values;
        }

        var broadcast = new float[outputs];
        broadcast.AsSpan().Fill(values[0]);
        return broadcast;
    }

    private static float[] Transpose(float[] source, int rows, int columns)
    {
        var result = new float[source.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = source[(r * columns) + c];
            }
        }

        return result;
    }

    /// <summary>A node that carries a layer's weights: a recurrent node, or a Gemm/MatMul (with its bias Add).</summary>
    private sealed record Candidate(LayerKind Kind, OnnxNode Node, OnnxNode? BiasAdd);

    /// <summary>The graph's constant tensors by name: initializers and the outputs of <c>Constant</c> nodes.</summary>
    private sealed class Constants
    {
        private readonly Dictionary<string, OnnxTensor> _tensors = new(StringComparer.Ordinal);
        private readonly HashSet<string> _graphInputs;

        public Constants(OnnxGraph graph)
        {
            _graphInputs = graph.InputNames;
            foreach (OnnxTensor tensor in graph.Initializers)
            {
                if (tensor.Name.Length > 0 && !_tensors.TryAdd(tensor.Name, tensor))
                {
                    throw new WeightFormatException($"The ONNX graph has more than one initializer named '{tensor.Name}'.", tensor.Name);
                }
            }

        }

        /// <summary>Registers a constant the data-flow check found: a Constant node's value, or plumbing evaluated on constants.</summary>
        public void Define(string name, OnnxTensor tensor) => _tensors[name] = tensor;

        public bool Contains(string name) => name.Length > 0 && _tensors.ContainsKey(name);

        public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OnnxTensor? tensor)
            => _tensors.TryGetValue(name, out tensor);

        /// <summary>The constant called <paramref name="name"/>, or a message saying why it is not in the file.</summary>
        public OnnxTensor Get(string name, string role, string where)
        {
            if (_tensors.TryGetValue(name, out OnnxTensor? tensor))
            {
                return tensor;
            }

            throw new WeightFormatException(_graphInputs.Contains(name)
                ? $"Input {role} '{name}' of {where} is a graph input without an initializer: the weights are not stored in the file."
                : $"Input {role} '{name}' of {where} is neither an initializer nor the output of a Constant node; only constant weights can be imported.", name);
        }

        /// <summary>Checks the shape of input <paramref name="input"/> of <paramref name="node"/> without decoding it.</summary>
        public void CheckShape(OnnxNode node, int input, string role, string where, params ReadOnlySpan<int> shape)
        {
            string name = node.Input(input);
            OnnxTensor tensor = Get(name, role, where);
            bool matches = tensor.Dims.Count == shape.Length;
            for (int i = 0; matches && i < shape.Length; i++)
            {
                matches = tensor.Dims[i] == shape[i];
            }

            if (!matches)
            {
                // W is [1, G·H, I] and R is [1, G·H, H]: say what the file's node computes in the model's terms.
                string meaning = tensor.Dims.Count == 3 && shape.Length == 3 && shape[1] > 0
                    ? string.Join("; ", new[]
                    {
                        tensor.Dims[0] != shape[0] ? (shape[0] == 1 ? $"{tensor.Dims[0]} directions (the model runs forward only)" : $"{tensor.Dims[0]} directions (the model's layer is bidirectional)") : null,
                        role == "W" && tensor.Dims[2] != shape[2] ? $"the file's layer reads {tensor.Dims[2]} features, the model's reads {shape[2]}" : null,
                        role == "R" && tensor.Dims[2] != shape[2] ? $"the file's layer has {tensor.Dims[2]} hidden units, the model declares {shape[2]}" : null,
                    }.Where(fact => fact is not null))
                    : string.Empty;
                throw new WeightFormatException(
                    $"Input {role} '{name}' of {where} has shape {tensor.FormatDims()}; expected [{string.Join(", ", shape.ToArray())}]{(meaning.Length > 0 ? ": " + meaning : string.Empty)}.", name);
            }
        }

        /// <summary>Reads input <paramref name="input"/> of <paramref name="node"/>, checking its shape.</summary>
        /// <returns>The values, or <see langword="null"/> when an optional input is absent.</returns>
        public float[]? Read(OnnxNode node, int input, string role, string where, bool required, params ReadOnlySpan<int> shape)
        {
            string name = node.Input(input);
            if (name.Length == 0)
            {
                return required ? throw new WeightFormatException($"{where} has no input {role}.") : null;
            }

            OnnxTensor tensor = Get(name, role, where);
            string context = $"Input {role} '{name}' of {where}";
            bool matches = tensor.Dims.Count == shape.Length;
            for (int i = 0; matches && i < shape.Length; i++)
            {
                matches = tensor.Dims[i] == shape[i];
            }

            if (!matches)
            {
                throw new WeightFormatException($"{context} has shape {tensor.FormatDims()}; expected [{string.Join(", ", shape.ToArray())}].", name);
            }

            return tensor.ToSingles(context);
        }
    }
}
