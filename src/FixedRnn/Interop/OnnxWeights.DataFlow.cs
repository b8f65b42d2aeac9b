using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

public static partial class OnnxWeights
{
    /// <summary>What the data-flow check found: the nodes that carry each layer's weights.</summary>
    private sealed class GraphPlan
    {
        public List<(OnnxNode Node, int Layer)> Recurrent { get; } = [];

        public OnnxNode? Head { get; set; }

        public OnnxNode? HeadBias { get; set; }
    }

    /// <summary>
    /// Interprets the graph abstractly, node by node in file order, to prove that it computes exactly the declared
    /// chain of layers, or names the node that does something else.
    /// </summary>
    /// <remarks>
    /// Every value is one of: the stream (the graph input and what the layers compute from it, with the role of each
    /// axis: time, batch, feature, or a unit axis), a constant (initializers, <c>Constant</c> nodes, and the
    /// <c>Slice</c>/<c>Concat</c>/<c>Squeeze</c>/<c>Unsqueeze</c>/<c>Reshape</c>/<c>Transpose</c>/<c>Identity</c> of
    /// constants, evaluated), the shape of the stream and values picked from it (<c>Shape</c>, <c>Gather</c>,
    /// <c>Unsqueeze</c>, <c>Concat</c>, <c>Slice</c>, <c>Cast</c>), an all-zero tensor of such a shape
    /// (<c>Expand</c>, <c>ConstantOfShape</c>: the initial states torch.onnx.export builds), a recurrent node's final
    /// state, or a graph input that serves as an initial state (the caller's <c>State</c> plays its role).
    /// The stream passes through the layers in the declared order; it may be consumed by one node only (plus
    /// <c>Shape</c>), so any branch, residual or skip connection is found at the node that reads it a second time.
    /// </remarks>
    private sealed partial class DataFlow
    {
        private readonly OnnxGraph _graph;
        private readonly LayerDescription[] _layers;
        private readonly Constants _constants;
        private readonly Dictionary<string, FlowValue> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxNode> _producers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedInitializers = new(StringComparer.Ordinal);
        private readonly GraphPlan _plan = new();
        private long _foldBudget;
        private bool _streamBound;

        private DataFlow(OnnxGraph graph, LayerDescription[] layers, Constants constants, long foldBudget)
        {
            _graph = graph;
            _layers = layers;
            _constants = constants;
            _foldBudget = foldBudget;
        }

        private enum AxisRole
        {
            Unknown,
            Time,
            Batch,
            Unit,
            Feature,

            /// <summary>A bidirectional node's axis of its two directions, which only a merge into the features may remove.</summary>
            Direction,
        }

        public static GraphPlan Analyze(OnnxGraph graph, LayerDescription[] layers, Constants constants, bool strict, long fileLength)
        {
            var flow = new DataFlow(graph, layers, constants, (fileLength / sizeof(float)) + (1 << 20));
            flow.Run(strict);
            return flow._plan;
        }

        private void Run(bool strict)
        {
            foreach (OnnxTensor initializer in _graph.Initializers)
            {
                if (initializer.Name.Length > 0)
                {
                    _values[initializer.Name] = new ConstantValue(initializer, initializer.Name);
                }
            }

            foreach (OnnxValueInfo input in _graph.Inputs)
            {
                // Before IR 4 every initializer is also listed as a graph input; the initializer is its value.
                if (input.Name.Length > 0 && !_values.ContainsKey(input.Name))
                {
                    _values[input.Name] = new UnboundInput(input);
                }
            }

            foreach (OnnxNode node in _graph.Nodes)
            {
                Visit(node);
            }

            CheckOutputs();
            CheckDangling();
            if (strict)
            {
                CheckInitializersUsed();
            }
        }

        // ------------------------------------------------------------ nodes

        private void Visit(OnnxNode node)
        {
            if (node.Domain.Length != 0 && node.Domain != DefaultDomain)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} is of domain '{node.Domain}', an operator set FixedRnn does not compute; only the default ONNX domain is read.");
            }

            CheckAttributes(node);
            switch (node.OpType)
            {
                case "LSTM" or "GRU" or "RNN":
                    VisitRecurrent(node);
                    return;
                case "Constant":
                    Define(node, 0, new ConstantValue(ConstantOf(node), null));
                    return;
            }

            FlowValue[] inputs = new FlowValue[node.Inputs.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = node.Inputs[i].Length == 0 ? Absent.Instance : Use(node, node.Inputs[i], asState: false);
            }

            if (node.Outputs.Skip(1).Any(output => output.Length > 0))
            {
                throw new WeightFormatException($"{node.Describe()} has {node.Outputs.Count} outputs; the importer models only its first.");
            }

            Stream? stream = inputs.OfType<Stream>().FirstOrDefault();
            if (stream is not null)
            {
                VisitStreamOp(node, inputs, stream);
            }
            else if (node.OpType is "Expand" or "ConstantOfShape")
            {
                VisitShapeOp(node, inputs);
            }
            else if (inputs.Length > 0 && inputs.All(v => v is ConstantValue or Absent))
            {
                Define(node, 0, new ConstantValue(Fold(node, inputs), null));
            }
            else if (inputs.Any(v => v is ShapeValue or DimensionValue))
            {
                VisitShapeOp(node, inputs);
            }
            else if (inputs.Any(v => v is ZerosValue))
            {
                VisitZerosOp(node, inputs);
            }
            else
            {
                throw Unsupported(node, inputs.Any(v => v is FinalState)
                    ? "it reads a recurrent node's final state, which FixedRnn keeps in State rather than computing on"
                    : "none of its inputs is something the importer models");
            }
        }

        private void VisitRecurrent(OnnxNode node)
        {
            int recurrentIndex = _plan.Recurrent.Count;
            string x = node.Input(0);
            if (x.Length == 0 || Use(node, x, asState: false) is not Stream stream)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} reads '{x}' as its input X, which is not the graph input or a value computed from it; FixedRnn's layers form a chain from the graph input.");
            }

            int k = stream.Stage;
            if (k >= _layers.Length || _layers[k].Kind == LayerKind.Dense)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} (recurrent node {recurrentIndex}) reads the output of {DescribeStage(k)}, but the model declares no further recurrent layer.");
            }

            if (stream.BiasPending || stream.Activated || stream.LastStepOnly)
            {
                throw new WeightFormatException($"{node.Describe()} reads a value that is not a recurrent layer's sequence of outputs.");
            }

            CheckRecurrentNode(node, k, _layers[k], _constants);
            RejectDirections(node, stream, "reads");
            if (stream.Axes.Length != 3)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} reads a rank-{stream.Axes.Length} input; ONNX's recurrent nodes read [sequence, batch, features] (layout = 0).");
            }

            Bind(node, stream.Axes[0], AxisRole.Time, "sequence");
            Bind(node, stream.Axes[1], AxisRole.Batch, "batch");
            Bind(node, stream.Axes[2], AxisRole.Feature, "feature");
            if (stream.Features >= 0 && stream.Features != _layers[k].InputSize)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} reads {stream.Features} features, but layer {k} of the model ({_layers[k].Describe()}) reads {_layers[k].InputSize}.");
            }

            for (int i = 1; i <= 3; i++)
            {
                if (node.Input(i).Length > 0)
                {
                    UseWeight(node, i, i switch { 1 => "W", 2 => "R", _ => "B" });
                }
            }

            if (node.Input(4).Length > 0)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} has a sequence_lens input ('{node.Input(4)}'); FixedRnn runs every step of every stream, so per-stream lengths are not computed.");
            }

            CheckInitialState(node, 5, "initial_h", stream, _layers[k]);
            if (node.OpType == "LSTM")
            {
                CheckInitialState(node, 6, "initial_c", stream, _layers[k]);
                if (node.Input(7).Length > 0)
                {
                    UseWeight(node, 7, "P");
                }
            }

            for (int i = 8; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i].Length > 0)
                {
                    throw new WeightFormatException($"{node.Describe()} has {node.Inputs.Count} inputs; {node.OpType} defines at most {(node.OpType == "LSTM" ? 8 : 6)}.");
                }
            }

            _plan.Recurrent.Add((node, k));
            // Y is [T, directions, B, H]: a unit axis, or for a bidirectional node the directions, to be merged into the features.
            Axis directions = new(_layers[k].Bidirectional ? AxisRole.Direction : AxisRole.Unit);
            Define(node, 0, new Stream([stream.Axes[0], directions, stream.Axes[1], new Axis(AxisRole.Feature)], _layers[k].Size, k + 1));
            for (int i = 1; i < node.Outputs.Count; i++)
            {
                Define(node, i, new FinalState(node));
            }
        }

        private void CheckInitialState(OnnxNode node, int input, string role, Stream x, LayerDescription layer)
        {
            string name = node.Input(input);
            if (name.Length == 0)
            {
                return;
            }

            FlowValue value = Use(node, name, asState: true);
            switch (value)
            {
                case StateInput:
                    return; // The caller's State is the graph's initial-state input.
                case ConstantValue constant:
                    MarkUsed(constant);
                    return; // Values are checked to be zero where the weights are read.
                case ZerosValue zeros when zeros.Entries.Length == 3 && zeros.Entries[0] is long directions && directions == (layer.Bidirectional ? 2 : 1)
                    && (IsOne(zeros.Entries[1]) || ReferenceEquals(zeros.Entries[1], x.Axes[1]))
                    && zeros.Entries[2] is long hidden && hidden == layer.Size:
                    return;
                default:
                    throw new WeightFormatException(
                        $"Input {role} '{name}' of {node.Describe()} is {value.Describe()}; an initial state must be absent, zero ([{(layer.Bidirectional ? 2 : 1)}, batch, {layer.Size}]), or a graph input (the caller's State).",
                        name);
            }
        }

        private void VisitStreamOp(OnnxNode node, FlowValue[] inputs, Stream stream)
        {
            int streams = inputs.Count(v => v is Stream);
            if (streams > 1)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} combines two values computed from the input (a residual or skip connection, or a concatenation); FixedRnn's layers form a single chain.");
            }

            switch (node.OpType)
            {
                case "Shape":
                    Define(node, 0, new ShapeValue(stream.Axes.Cast<object>().ToArray()));
                    return;
                case "Identity":
                    Define(node, 0, stream);
                    return;
                case "Squeeze":
                    Define(node, 0, Squeeze(node, stream, AxesOf(node, inputs, 1, stream.Axes.Length, required: true)));
                    return;
                case "Unsqueeze":
                    Define(node, 0, Unsqueeze(stream, AxesOf(node, inputs, 1, stream.Axes.Length + CountAxes(node, inputs, 1), required: true)));
                    return;
                case "Transpose":
                    Define(node, 0, stream with { Axes = PermutationOf(node, stream.Axes.Length).Select(p => stream.Axes[p]).ToArray() });
                    return;
                case "Reshape":
                    Define(node, 0, Reshape(node, stream, inputs));
                    return;
                case "Gather":
                    Define(node, 0, Gather(node, stream, inputs));
                    return;
                case "Slice":
                    Define(node, 0, Slice(node, stream, inputs));
                    return;
                case "MatMul" when inputs.Length == 2 && inputs[0] is Stream:
                    Define(node, 0, Head(node, stream, inputs[1], rank2: false));
                    return;
                case "Gemm" when inputs.Length is 2 or 3 && inputs[0] is Stream:
                    Define(node, 0, Head(node, stream, inputs[1], rank2: true));
                    return;
                case "Add" when inputs.Length == 2:
                    Define(node, 0, Bias(node, stream, inputs[0] is Stream ? inputs[1] : inputs[0]));
                    return;
                case "Relu" or "Tanh" or "Sigmoid":
                    Define(node, 0, Activation(node, stream));
                    return;
                default:
                    throw Unsupported(node, $"it computes on {DescribeStage(stream.Stage)}");
            }
        }

        private Stream Head(OnnxNode node, Stream stream, FlowValue weight, bool rank2)
        {
            int k = stream.Stage;
            if (k >= _layers.Length)
            {
                throw new WeightFormatException(
                    $"The ONNX graph has a Dense head ({node.Describe()}) after its last recurrent node, but the model declares no Dense layer.");
            }

            if (_layers[k].Kind != LayerKind.Dense)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} multiplies by constant weights before the last recurrent node: it reads {DescribeStage(k)}, but layer {k} of the model is {_layers[k].Describe()}; a FixedRnn model can only have a Dense layer after its recurrent layers.");
            }

            if (weight is not ConstantValue)
            {
                throw new WeightFormatException($"{node.Describe()} multiplies by {weight.Describe()}; a Dense head's weights must be constants.");
            }

            if (stream.BiasPending || stream.Activated)
            {
                throw new WeightFormatException($"{node.Describe()} multiplies the output of a Dense layer again; FixedRnn's model has one Dense head.");
            }

            RejectDirections(node, stream, "multiplies");
            if (stream.Axes[^1].Role != AxisRole.Feature || (rank2 && stream.Axes.Length != 2))
            {
                throw new WeightFormatException(
                    $"{node.Describe()} multiplies an input whose last axis is not the features{(rank2 ? " or whose rank is not 2" : string.Empty)}; a Dense head maps each step's features.");
            }

            for (int i = 1; i < node.Inputs.Count; i++)
            {
                if (node.Inputs[i].Length > 0 && _values.GetValueOrDefault(node.Inputs[i]) is ConstantValue constant)
                {
                    MarkUsed(constant);
                }
                else if (node.Inputs[i].Length > 0)
                {
                    throw new WeightFormatException($"{node.Describe()} adds {_values.GetValueOrDefault(node.Inputs[i])?.Describe() ?? "an unknown value"}; a Dense head's bias must be a constant.");
                }
            }

            _plan.Head = node;
            Axis[] axes = [.. stream.Axes[..^1], new Axis(AxisRole.Feature)];
            return new Stream(axes, _layers[k].Size, k + 1) { BiasPending = !rank2, LastStepOnly = stream.LastStepOnly };
        }

        private Stream Bias(OnnxNode node, Stream stream, FlowValue other)
        {
            if (!stream.BiasPending || other is not ConstantValue constant)
            {
                throw new WeightFormatException(stream.BiasPending
                    ? $"{node.Describe()} adds {other.Describe()} to the output of the Dense head; only a constant bias is computed."
                    : $"{node.Describe()} adds {other.Describe()} to {DescribeStage(stream.Stage)}; FixedRnn's layers pass their outputs on unchanged, so the model would compute something else.");
            }

            MarkUsed(constant);
            _plan.HeadBias = node;
            return stream with { BiasPending = false };
        }

        private Stream Activation(OnnxNode node, Stream stream)
        {
            LayerActivation applied = node.OpType switch { "Relu" => LayerActivation.Relu, "Tanh" => LayerActivation.Tanh, _ => LayerActivation.Sigmoid };
            int dense = _layers.Length - 1;
            if (stream.Stage != _layers.Length || _layers[dense].Kind != LayerKind.Dense || stream.Activated)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} applies {LayerDescription.Name(applied)} to {DescribeStage(stream.Stage)}"
                    + (stream.Stage < _layers.Length ? $", before layer {stream.Stage} ({_layers[stream.Stage].Describe()})" : string.Empty)
                    + ": FixedRnn computes an activation only as the Dense head's, so this model would compute something else.");
            }

            if (_layers[dense].EffectiveActivation != applied)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} applies {LayerDescription.Name(applied)} after the Dense head, but layer {dense} is declared {_layers[dense].Describe()}; "
                    + $"declare [Dense({_layers[dense].Size}, Activation = DenseActivation.{applied})] to match the file.");
            }

            return stream with { Activated = true, BiasPending = false };
        }

        private Stream Squeeze(OnnxNode node, Stream stream, long[] axes)
        {
            var removed = new HashSet<long>(axes);
            foreach (long axis in removed)
            {
                Axis target = stream.Axes[axis];
                if (target.Role is AxisRole.Time or AxisRole.Feature or AxisRole.Direction)
                {
                    throw new WeightFormatException($"{node.Describe()} squeezes the {Name(target.Role)} axis, which is not of size 1.");
                }

                if (target.Role == AxisRole.Unknown)
                {
                    throw new WeightFormatException($"{node.Describe()} squeezes axis {axis} of the graph input before any layer has read it.");
                }
            }

            Axis[] kept = stream.Axes.Where((_, i) => !removed.Contains(i)).ToArray();
            return stream with { Axes = kept };
        }

        private static Stream Unsqueeze(Stream stream, long[] axes)
        {
            int rank = stream.Axes.Length + axes.Length;
            var result = new Axis[rank];
            var inserted = new HashSet<long>(axes);
            int source = 0;
            for (int i = 0; i < rank; i++)
            {
                result[i] = inserted.Contains(i) ? new Axis(AxisRole.Unit) : stream.Axes[source++];
            }

            return stream with { Axes = result };
        }

        private Stream Reshape(OnnxNode node, Stream stream, FlowValue[] inputs)
        {
            if (inputs.Length != 2 || inputs[1] is not ConstantValue shapeValue)
            {
                throw new WeightFormatException($"{node.Describe()} reshapes to a shape that is not a constant.");
            }

            MarkUsed(shapeValue);
            long[] shape = shapeValue.Tensor.ToInt64s($"Input shape of {node.Describe()}");
            if (IntAttribute(node, "allowzero", 0, node.Describe()) != 0)
            {
                throw new WeightFormatException($"{node.Describe()} has allowzero = 1, which the importer does not model.");
            }

            // Only unit axes may appear or disappear; the other axes keep their order: 0 copies, -1 stands for one of them.
            // The one merge is a bidirectional node's directions into the features that follow them ([…, 2, H] → […, 2·H]):
            // forward first, then reverse, the concatenation FixedRnn computes.
            Axis[] significant = stream.Axes.Where(axis => axis.Role != AxisRole.Unit).ToArray();
            var result = new List<Axis>();
            long features = stream.Features;
            int next = 0;
            for (int i = 0; i < shape.Length; i++)
            {
                long entry = shape[i];
                bool mergesDirections = next + 1 < significant.Length && significant[next].Role == AxisRole.Direction && significant[next + 1].Role == AxisRole.Feature
                    && (entry == -1 || entry == 2 * stream.Features);
                if (mergesDirections)
                {
                    result.Add(new Axis(AxisRole.Feature));
                    features = 2 * stream.Features;
                    next += 2;
                    continue;
                }

                Axis? axis = entry switch
                {
                    0 when i < stream.Axes.Length => stream.Axes[i],
                    1 => null,
                    -1 => next < significant.Length ? significant[next] : null,
                    _ when next < significant.Length && significant[next].Role == AxisRole.Feature && entry == stream.Features => significant[next],
                    _ => throw new WeightFormatException($"{node.Describe()} reshapes to {FormatList(shape)}, which merges or splits axes of the sequence."),
                };
                if (axis is null)
                {
                    result.Add(new Axis(AxisRole.Unit));
                    continue;
                }

                if (axis.Role == AxisRole.Unit)
                {
                    result.Add(axis);
                    continue;
                }

                if (next >= significant.Length || !ReferenceEquals(axis, significant[next]))
                {
                    throw new WeightFormatException($"{node.Describe()} reshapes to {FormatList(shape)}, which reorders or merges axes of the sequence.");
                }

                result.Add(axis);
                next++;
            }

            if (next != significant.Length)
            {
                throw new WeightFormatException($"{node.Describe()} reshapes to {FormatList(shape)}, which merges axes of the sequence.");
            }

            return stream with { Axes = [.. result], Features = features };
        }

        private Stream Gather(OnnxNode node, Stream stream, FlowValue[] inputs)
        {
            if (inputs.Length != 2 || inputs[1] is not ConstantValue indexValue || indexValue.Tensor.Dims.Count != 0)
            {
                throw new WeightFormatException($"{node.Describe()} gathers with indices that are not one constant scalar.");
            }

            MarkUsed(indexValue);
            long index = indexValue.Tensor.ToInt64s($"Input indices of {node.Describe()}")[0];
            long axis = NormalizeAxis(node, IntAttribute(node, "axis", 0, node.Describe()), stream.Axes.Length);
            Axis target = stream.Axes[axis];
            bool selectsLastStep = target.Role == AxisRole.Time && index == -1;
            bool selectsOnly = target.Role is AxisRole.Batch or AxisRole.Unit && index is 0 or -1;
            if (!selectsLastStep && !selectsOnly)
            {
                throw new WeightFormatException(target.Role == AxisRole.Time
                    ? $"{node.Describe()} picks step {index} of the sequence; only the last step (-1) is the output of a model that FixedRnn computes step by step."
                    : $"{node.Describe()} picks element {index} of the {Name(target.Role)} axis, which the importer does not model.");
            }

            return stream with { Axes = stream.Axes.Where((_, i) => i != axis).ToArray(), LastStepOnly = stream.LastStepOnly || selectsLastStep };
        }

        private Stream Slice(OnnxNode node, Stream stream, FlowValue[] inputs)
        {
            (long[] starts, long[] ends, long[] axes, long[] steps) = SliceArguments(node, inputs, stream.Axes.Length);
            bool lastStep = false;
            for (int i = 0; i < axes.Length; i++)
            {
                Axis target = stream.Axes[axes[i]];
                bool whole = starts[i] == 0 && ends[i] >= int.MaxValue && steps[i] == 1;
                bool unitWhole = target.Role is AxisRole.Unit or AxisRole.Batch && starts[i] is 0 or -1 && ends[i] >= 1 && steps[i] == 1;
                bool last = target.Role == AxisRole.Time && starts[i] == -1 && ends[i] >= int.MaxValue && steps[i] == 1;
                if (!(whole || unitWhole || last))
                {
                    throw new WeightFormatException(
                        $"{node.Describe()} slices [{starts[i]}:{ends[i]}:{steps[i]}] of the {Name(target.Role)} axis; only all of an axis, or the last step of the sequence, is the output of a model FixedRnn computes.");
                }

                lastStep |= last;
            }

            return stream with { LastStepOnly = stream.LastStepOnly || lastStep };
        }

        private void VisitShapeOp(OnnxNode node, FlowValue[] inputs)
        {
            switch (node.OpType)
            {
                case "Unsqueeze" when inputs.Length >= 1 && inputs[0] is DimensionValue dimension:
                    _ = AxesOf(node, inputs, 1, 1, required: true);
                    Define(node, 0, new ShapeValue([dimension.Entry]));
                    return;
                case "Identity" or "Cast" when inputs.Length >= 1 && inputs[0] is DimensionValue dimension:
                    Define(node, 0, dimension);
                    return;
                case "Identity" or "Cast" when inputs.Length >= 1 && inputs[0] is ShapeValue shape:
                    if (node.OpType == "Cast" && IntAttribute(node, "to", 0, node.Describe()) is not (OnnxTensor.Int64 or OnnxTensor.Int32))
                    {
                        throw new WeightFormatException($"{node.Describe()} casts a shape to a type other than an integer.");
                    }

                    Define(node, 0, shape);
                    return;
                case "Gather" when inputs is [ShapeValue shape, ConstantValue index] && index.Tensor.Dims.Count == 0:
                {
                    MarkUsed(index);
                    long i = index.Tensor.ToInt64s($"Input indices of {node.Describe()}")[0];
                    long at = NormalizeAxis(node, i, shape.Entries.Length);
                    Define(node, 0, new DimensionValue(shape.Entries[at]));
                    return;
                }

                case "Slice" when inputs.Length >= 3 && inputs[0] is ShapeValue shape:
                {
                    (long[] starts, long[] ends, long[] axes, long[] steps) = SliceArguments(node, inputs, 1);
                    if (axes.Length != 1 || steps[0] != 1)
                    {
                        throw new WeightFormatException($"{node.Describe()} slices a shape in a way the importer does not model.");
                    }

                    int length = shape.Entries.Length;
                    long start = Math.Clamp(starts[0] < 0 ? starts[0] + length : starts[0], 0, length);
                    long end = Math.Clamp(ends[0] < 0 ? ends[0] + length : ends[0], 0, length);
                    Define(node, 0, new ShapeValue(shape.Entries[(int)start..(int)Math.Max(start, end)]));
                    return;
                }

                case "Concat":
                {
                    var entries = new List<object>();
                    foreach (FlowValue input in inputs)
                    {
                        entries.AddRange(input switch
                        {
                            ShapeValue shape => shape.Entries,
                            ConstantValue constant when constant.Tensor.Dims.Count == 1 => Mark(constant).Tensor.ToInt64s($"An input of {node.Describe()}").Cast<object>(),
                            _ => throw new WeightFormatException($"{node.Describe()} concatenates a shape with {input.Describe()}."),
                        });
                    }

                    Define(node, 0, new ShapeValue([.. entries]));
                    return;
                }

                case "Expand" when inputs is [ConstantValue value, ShapeValue or ConstantValue]:
                    MarkUsed(value);
                    RequireZeros(node, value);
                    Define(node, 0, new ZerosValue(Broadcast(node, value.Tensor.Dims, ShapeEntries(node, inputs[1]))));
                    return;
                case "ConstantOfShape" when inputs is [ShapeValue or ConstantValue]:
                    if (node.Attribute("value") is { T: { } fill })
                    {
                        RequireZeros(node, new ConstantValue(fill, null));
                    }

                    Define(node, 0, new ZerosValue(ShapeEntries(node, inputs[0])));
                    return;
                default:
                    throw Unsupported(node, "it computes on the input's shape in a way the importer does not model");
            }
        }

        private void VisitZerosOp(OnnxNode node, FlowValue[] inputs)
        {
            switch (node.OpType)
            {
                case "Identity" when inputs[0] is ZerosValue zeros:
                    Define(node, 0, zeros);
                    return;
                case "Unsqueeze" when inputs[0] is ZerosValue zeros:
                {
                    long[] axes = AxesOf(node, inputs, 1, zeros.Entries.Length + CountAxes(node, inputs, 1), required: true);
                    var result = new List<object>(zeros.Entries);
                    foreach (long axis in axes.Order())
                    {
                        result.Insert((int)axis, 1L);
                    }

                    Define(node, 0, new ZerosValue([.. result]));
                    return;
                }

                default:
                    throw Unsupported(node, "it computes on an initial state in a way the importer does not model");
            }
        }

        // ------------------------------------------------------------ arguments

        /// <summary>Axes from the attribute (opsets before 13) or the constant input <paramref name="input"/>, normalized.</summary>
        private long[] AxesOf(OnnxNode node, FlowValue[] inputs, int input, int rank, bool required)
        {
            long[]? axes = node.Attribute("axes") is { } attribute ? [.. attribute.Ints] : null;
            if (input < inputs.Length && inputs[input] is ConstantValue constant)
            {
                if (axes is not null)
                {
                    throw new WeightFormatException($"{node.Describe()} gives axes both as an attribute and as an input.");
                }

                MarkUsed(constant);
                axes = constant.Tensor.ToInt64s($"Input axes of {node.Describe()}");
            }
            else if (input < inputs.Length && inputs[input] is not Absent)
            {
                throw new WeightFormatException($"{node.Describe()} takes its axes from {inputs[input].Describe()}; only constant axes are modeled.");
            }

            if (axes is null)
            {
                return required ? throw new WeightFormatException($"{node.Describe()} gives no axes; the importer needs them explicit.") : [];
            }

            long[] normalized = axes.Select(axis => NormalizeAxis(node, axis, rank)).ToArray();
            if (normalized.Distinct().Count() != normalized.Length)
            {
                throw new WeightFormatException($"{node.Describe()} names an axis twice.");
            }

            return normalized;
        }

        private static int CountAxes(OnnxNode node, FlowValue[] inputs, int input)
            => node.Attribute("axes") is { } attribute ? attribute.Ints.Count
                : input < inputs.Length && inputs[input] is ConstantValue constant ? (int)Math.Min(constant.Tensor.ElementCount("axes"), OnnxProtoReader.MaxDims)
                : 0;

        private (long[] Starts, long[] Ends, long[] Axes, long[] Steps) SliceArguments(OnnxNode node, FlowValue[] inputs, int rank)
        {
            long[] starts, ends;
            long[]? axes = null, steps = null;
            if (node.Attribute("starts") is { } startsAttribute)
            {
                // Opsets before 10: starts, ends and axes are attributes.
                starts = [.. startsAttribute.Ints];
                ends = node.Attribute("ends") is { } endsAttribute ? [.. endsAttribute.Ints] : throw new WeightFormatException($"{node.Describe()} has starts but no ends.");
                axes = node.Attribute("axes") is { } axesAttribute ? [.. axesAttribute.Ints] : null;
            }
            else
            {
                starts = ConstantInts(node, inputs, 1, "starts") ?? throw new WeightFormatException($"{node.Describe()} has no starts.");
                ends = ConstantInts(node, inputs, 2, "ends") ?? throw new WeightFormatException($"{node.Describe()} has no ends.");
                axes = ConstantInts(node, inputs, 3, "axes");
                steps = ConstantInts(node, inputs, 4, "steps");
            }

            axes ??= Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps ??= Enumerable.Repeat(1L, starts.Length).ToArray();
            if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            {
                throw new WeightFormatException($"{node.Describe()} has starts, ends, axes and steps of different lengths.");
            }

            long[] normalized = axes.Select(axis => NormalizeAxis(node, axis, rank)).ToArray();
            if (normalized.Distinct().Count() != normalized.Length)
            {
                throw new WeightFormatException($"{node.Describe()} names an axis twice.");
            }

            return (starts, ends, normalized, steps);
        }

        private long[]? ConstantInts(OnnxNode node, FlowValue[] inputs, int input, string role)
        {
            if (input >= inputs.Length || inputs[input] is Absent)
            {
                return null;
            }

            if (inputs[input] is not ConstantValue constant)
            {
                throw new WeightFormatException($"{node.Describe()} takes its {role} from {inputs[input].Describe()}; only constants are modeled.");
            }

            MarkUsed(constant);
            return constant.Tensor.ToInt64s($"Input {role} of {node.Describe()}");
        }

        private static long[] PermutationOf(OnnxNode node, int rank)
        {
            long[] perm = node.Attribute("perm") is { } attribute ? [.. attribute.Ints] : Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
            if (perm.Length != rank || perm.Order().Select((p, i) => p == i).Any(same => !same))
            {
                throw new WeightFormatException($"{node.Describe()} has perm {FormatList(perm)}, not a permutation of {rank} axes.");
            }

            return perm;
        }

        private static long NormalizeAxis(OnnxNode node, long axis, int rank)
        {
            long normalized = axis < 0 ? axis + rank : axis;
            return normalized >= 0 && normalized < rank
                ? normalized
                : throw new WeightFormatException($"{node.Describe()} names axis {axis}, outside the {rank} axes of its input.");
        }

        private static object[] Broadcast(OnnxNode node, List<long> constantDims, object[] shape)
        {
            int rank = Math.Max(constantDims.Count, shape.Length);
            var result = new object[rank];
            for (int i = 0; i < rank; i++)
            {
                int c = i - (rank - constantDims.Count);
                int s = i - (rank - shape.Length);
                object fromShape = s >= 0 ? shape[s] : 1L;
                long fromConstant = c >= 0 ? constantDims[c] : 1;
                // A traced batch size (a zero state of [1, 2, H] expanded to [1, batch, H]) broadcasts with the symbolic batch axis:
                // the values are zeros either way, and the run-time batch decides the size.
                result[i] = fromConstant == 1 ? fromShape
                    : fromShape is Axis ? fromShape
                    : IsOne(fromShape) || (fromShape is long value && value == fromConstant) ? fromConstant
                    : throw new WeightFormatException($"{node.Describe()} expands a constant of shape [{string.Join(", ", constantDims)}] to an incompatible shape.");
            }

            return result;
        }

        private static bool IsOne(object entry) => entry is long value && value == 1;

        private object[] ShapeEntries(OnnxNode node, FlowValue value) => value switch
        {
            ShapeValue shape => shape.Entries,
            ConstantValue constant when constant.Tensor.Dims.Count == 1 => Mark(constant).Tensor.ToInt64s($"Input shape of {node.Describe()}").Cast<object>().ToArray(),
            _ => throw new WeightFormatException($"{node.Describe()} takes a shape from {value.Describe()}."),
        };

        private static void RequireZeros(OnnxNode node, ConstantValue value)
        {
            float[] values = value.Tensor.ToSingles($"The value of {node.Describe()}");
            if (values.Any(v => v != 0))
            {
                throw new WeightFormatException(
                    $"{node.Describe()} fills a tensor with non-zero values; only the zero initial states that exporters build are modeled.");
            }
        }

        // ------------------------------------------------------------ values and bookkeeping

        private FlowValue Use(OnnxNode node, string name, bool asState)
        {
            if (!_values.TryGetValue(name, out FlowValue? value))
            {
                throw new WeightFormatException(
                    $"{node.Describe()} reads '{name}', which no earlier node, initializer or graph input defines: the graph is not in data-flow order, or has a cycle.",
                    name);
            }

            _consumers[name] = _consumers.GetValueOrDefault(name) + 1;
            if (value is UnboundInput input)
            {
                if (asState)
                {
                    value = new StateInput(input.Info.Name);
                }
                else
                {
                    if (_streamBound)
                    {
                        throw new WeightFormatException(
                            $"{node.Describe()} reads the graph input '{name}' as data, but the graph already reads another input as data; FixedRnn's model has one input.",
                            name);
                    }

                    _streamBound = true;
                    value = StreamOfInput(node, input.Info);
                }

                _values[name] = value;
            }
            else if (value is StateInput && !asState)
            {
                throw new WeightFormatException($"{node.Describe()} reads the graph input '{name}', which also serves as a recurrent node's initial state.", name);
            }

            if (value is Stream stream && node.OpType != "Shape")
            {
                if (stream.Consumer is not null)
                {
                    throw new WeightFormatException(
                        $"{node.Describe()} reads '{name}', {DescribeStage(stream.Stage)}, which {stream.Consumer.Describe()} already reads: "
                        + "the graph branches (a residual or skip connection, or a second head), which FixedRnn's chain of layers does not compute.",
                        name);
                }

                // Identity passes the same stream on: what matters is that one node computes on each value.
                _values[name] = stream = stream with { Consumer = node };
                value = stream;
            }

            return value;
        }

        private Stream StreamOfInput(OnnxNode node, OnnxValueInfo info)
        {
            if (node.OpType is "LSTM" or "GRU" or "RNN" && (!info.HasShape || info.Dims.Count == 3))
            {
                // [sequence, batch, features], as the recurrent node reads it.
                return new Stream([new Axis(AxisRole.Unknown), new Axis(AxisRole.Unknown), new Axis(AxisRole.Unknown)], info.HasShape ? info.Dims[2] : -1, 0);
            }

            if (!info.HasShape)
            {
                throw new WeightFormatException($"The graph input '{info.Name}' declares no shape, and {node.Describe()} needs its rank.", info.Name);
            }

            Axis[] axes = info.Dims.Select(_ => new Axis(AxisRole.Unknown)).ToArray();
            return new Stream(axes, info.Dims.Count > 0 ? info.Dims[^1] : -1, 0);
        }

        private void UseWeight(OnnxNode node, int input, string role)
        {
            string name = node.Input(input);
            if (!_values.TryGetValue(name, out FlowValue? value) || value is not ConstantValue constant)
            {
                // Constants.Get names the reason: a graph input without an initializer, or a computed value.
                _ = _constants.Get(name, role, $"{node.Describe()}");
                throw new WeightFormatException($"Input {role} '{name}' of {node.Describe()} is not a constant.", name);
            }

            _consumers[name] = _consumers.GetValueOrDefault(name) + 1;
            MarkUsed(constant);
        }

        private ConstantValue Mark(ConstantValue constant)
        {
            MarkUsed(constant);
            return constant;
        }

        private void MarkUsed(ConstantValue constant)
        {
            if (constant.Initializer is not null)
            {
                _usedInitializers.Add(constant.Initializer);
            }
        }

        private void Define(OnnxNode node, int output, FlowValue value)
        {
            if (output >= node.Outputs.Count)
            {
                if (output == 0)
                {
                    throw new WeightFormatException($"{node.Describe()} has no output.");
                }

                return;
            }

            string name = node.Outputs[output];
            if (name.Length == 0)
            {
                return;
            }

            if (_values.ContainsKey(name))
            {
                throw new WeightFormatException(
                    $"{node.Describe()} defines '{name}', which {(_producers.TryGetValue(name, out OnnxNode? other) ? other.Describe() : "an initializer or graph input")} already defines; every value must be defined once.",
                    name);
            }

            if (value is ConstantValue constant)
            {
                _constants.Define(name, constant.Tensor);
            }

            _values[name] = value is Stream stream ? stream with { Consumer = null } : value;
            _producers[name] = node;
        }

        private void Bind(OnnxNode node, Axis axis, AxisRole role, string what)
        {
            if (axis.Role == AxisRole.Unknown)
            {
                axis.Role = role;
            }
            else if (axis.Role != role)
            {
                throw new WeightFormatException(
                    $"{node.Describe()} reads as its {what} axis what is the {Name(axis.Role)} axis of its input; the axes are permuted in a way FixedRnn does not compute.");
            }
        }

        /// <summary>A bidirectional node's output must have its directions concatenated before a layer or the head reads it.</summary>
        private static void RejectDirections(OnnxNode node, Stream stream, string verb)
        {
            if (stream.Axes.Any(axis => axis.Role == AxisRole.Direction))
            {
                throw new WeightFormatException(
                    $"{node.Describe()} {verb} a bidirectional node's output with its two directions on an axis of their own; FixedRnn's next layer reads them concatenated, "
                    + "which the graph computes with a Transpose to [T, B, 2, H] and a Reshape to [T, B, 2·H] (as torch.onnx.export writes a bidirectional module).");
            }
        }

        private void CheckOutputs()
        {
            Stream? final = null;
            foreach (string name in _graph.OutputNames)
            {
                FlowValue? value = _values.GetValueOrDefault(name);
                switch (value)
                {
                    case FinalState:
                        continue; // A recurrent node's final h or c: the State after the sequence.
                    case Stream stream when final is null:
                        final = stream;
                        _consumers[name] = _consumers.GetValueOrDefault(name) + 1;
                        continue;
                    case Stream:
                        throw new WeightFormatException($"The ONNX graph has two outputs computed from the input ('{name}' is the second); FixedRnn's model has one.", name);
                    default:
                        throw new WeightFormatException(
                            $"The ONNX graph's output '{name}' is {value?.Describe() ?? "not defined by any node"}, not a value FixedRnn computes from the input.", name);
                }
            }

            if (final is null)
            {
                throw new WeightFormatException("The ONNX graph has no output computed from its input.");
            }

            if (final.Axes.Any(axis => axis.Role == AxisRole.Direction))
            {
                throw new WeightFormatException(
                    $"The ONNX graph's output holds a bidirectional node's two directions on an axis of their own; FixedRnn outputs them concatenated per step, "
                    + "which the graph computes with a Transpose to [T, B, 2, H] and a Reshape to [T, B, 2·H] (as torch.onnx.export writes a bidirectional module).");
            }

            if (final.Stage < _layers.Length)
            {
                LayerDescription missing = _layers[final.Stage];
                throw new WeightFormatException(missing.Kind == LayerKind.Dense
                    ? $"The model's last layer is Dense ({missing.InputSize} → {missing.Size}), but the ONNX graph has no Gemm, or MatMul with constant weights, after its last recurrent node."
                    : $"The ONNX graph's output is {DescribeStage(final.Stage)}, but the model declares layer {final.Stage} ({missing.Describe()}) after it.");
            }

            LayerDescription last = _layers[^1];
            if (last.Kind == LayerKind.Dense && last.EffectiveActivation != LayerActivation.Identity && !final.Activated)
            {
                throw new WeightFormatException(
                    $"Layer {_layers.Length - 1} is declared {last.Describe()}, but the ONNX graph applies no {LayerDescription.Name(last.EffectiveActivation)} after its Dense head ({_plan.Head?.Describe()}).");
            }
        }

        private void CheckDangling()
        {
            foreach ((string name, OnnxNode producer) in _producers)
            {
                if (_consumers.GetValueOrDefault(name) == 0 && _values[name] is not FinalState)
                {
                    throw new WeightFormatException(
                        $"{producer.Describe()} computes '{name}', which no node reads and which is not a graph output: a dangling node, which a graph FixedRnn computes does not have.",
                        name);
                }
            }
        }

        private void CheckInitializersUsed()
        {
            string[] unused = _graph.Initializers.Select(t => t.Name).Where(name => name.Length > 0 && !_usedInitializers.Contains(name)).ToArray();
            if (unused.Length > 0)
            {
                string listed = string.Join(", ", unused.Take(12).Select(name => $"'{name}'")) + (unused.Length > 12 ? $" and {unused.Length - 12} more" : string.Empty);
                throw new WeightFormatException(
                    $"The ONNX graph has {unused.Length} initializer{(unused.Length == 1 ? string.Empty : "s")} that no node it computes reads: {listed}. "
                    + "A strict load uses every initializer; pass strict: false to OnnxWeights.ToPyTorch to ignore them.",
                    unused[0]);
            }
        }

        private static void CheckAttributes(OnnxNode node)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (OnnxAttribute attribute in node.Attributes)
            {
                if (!names.Add(attribute.Name))
                {
                    throw new WeightFormatException($"{node.Describe()} has attribute '{attribute.Name}' more than once.");
                }

                int fields = (attribute.HasF ? 1 : 0) + (attribute.HasI ? 1 : 0) + (attribute.HasS ? 1 : 0) + (attribute.T is not null ? 1 : 0)
                    + (attribute.Floats.Count > 0 ? 1 : 0) + (attribute.Ints.Count > 0 ? 1 : 0) + (attribute.Strings.Count > 0 ? 1 : 0);
                OnnxAttributeType held = attribute.HasF ? OnnxAttributeType.Float : attribute.HasI ? OnnxAttributeType.Int : attribute.HasS ? OnnxAttributeType.String
                    : attribute.T is not null ? OnnxAttributeType.Tensor : attribute.Floats.Count > 0 ? OnnxAttributeType.Floats
                    : attribute.Ints.Count > 0 ? OnnxAttributeType.Ints : attribute.Strings.Count > 0 ? OnnxAttributeType.Strings : OnnxAttributeType.Undefined;
                bool declaredOther = attribute.Type != 0 && fields == 1 && (OnnxAttributeType)attribute.Type != held;
                if (fields > 1 || declaredOther)
                {
                    throw new WeightFormatException(
                        $"{node.Describe()} has attribute '{attribute.Name}' with conflicting values (declared type {(OnnxAttributeType)attribute.Type}, {fields} value fields).");
                }
            }
        }

        private string DescribeStage(int stage)
            => stage == 0 ? "the graph input" : $"the output of layer {stage - 1} ({_layers[stage - 1].Describe()})";

        private static string Name(AxisRole role) => role switch
        {
            AxisRole.Time => "sequence",
            AxisRole.Batch => "batch",
            AxisRole.Feature => "feature",
            AxisRole.Unit => "unit (size 1)",
            AxisRole.Direction => "direction",
            _ => "unresolved",
        };

        private static string FormatList(IEnumerable<long> values) => $"[{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]";

        private static WeightFormatException Unsupported(OnnxNode node, string why)
            => new($"{node.Describe()} is an op FixedRnn does not compute here ({node.OpType}): {why}. "
                + "Only graphs of the declared layers (LSTM, GRU, RNN, a Gemm or MatMul + Add head and its activation) and the shape plumbing exporters put around them load.");
    }
}
