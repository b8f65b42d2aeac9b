using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FixedRnn.Training;

namespace FixedRnn.Interop;

public static partial class OnnxWeights
{
    /// <summary>The data-flow check's evaluation of constants: Constant nodes and the plumbing exporters apply to weights.</summary>
    private sealed partial class DataFlow
    {
        // ------------------------------------------------------------ constants

        private OnnxTensor ConstantOf(OnnxNode node)
        {
            if (node.Attributes.Count != 1)
            {
                throw new WeightFormatException($"{node.Describe()} has {node.Attributes.Count} attributes; a Constant has exactly one value.");
            }

            OnnxAttribute attribute = node.Attributes[0];
            var tensor = new OnnxTensor();
            switch (attribute.Name)
            {
                case "value" when attribute.T is not null:
                    return attribute.T;
                case "value_float" when attribute.HasF:
                    tensor.DataType = OnnxTensor.Float;
                    tensor.FloatData.Add(attribute.F);
                    return tensor;
                case "value_floats":
                    tensor.DataType = OnnxTensor.Float;
                    tensor.Dims.Add(attribute.Floats.Count);
                    tensor.FloatData.AddRange(attribute.Floats);
                    return tensor;
                case "value_int" when attribute.HasI:
                    tensor.DataType = OnnxTensor.Int64;
                    tensor.Int64Data.Add(attribute.I);
                    return tensor;
                case "value_ints":
                    tensor.DataType = OnnxTensor.Int64;
                    tensor.Dims.Add(attribute.Ints.Count);
                    tensor.Int64Data.AddRange(attribute.Ints);
                    return tensor;
                default:
                    throw new WeightFormatException($"{node.Describe()} has attribute '{attribute.Name}', a kind of constant the importer does not read.");
            }
        }

        /// <summary>Evaluates a node whose inputs are all constants: the plumbing old exporters apply to weights.</summary>
        private OnnxTensor Fold(OnnxNode node, FlowValue[] inputs)
        {
            foreach (ConstantValue constant in inputs.OfType<ConstantValue>())
            {
                MarkUsed(constant);
            }

            OnnxTensor first = ((ConstantValue)inputs[0]).Tensor;
            string context = $"Input '{node.Input(0)}' of {node.Describe()}";
            switch (node.OpType)
            {
                case "Identity":
                    return first;
                case "Unsqueeze":
                {
                    long[] axes = AxesOf(node, inputs, 1, first.Dims.Count + CountAxes(node, inputs, 1), required: true);
                    var dims = new List<long>(first.Dims);
                    foreach (long axis in axes.Order())
                    {
                        dims.Insert((int)axis, 1);
                    }

                    return Retyped(first, context, dims);
                }

                case "Squeeze":
                {
                    long[] axes = AxesOf(node, inputs, 1, first.Dims.Count, required: false);
                    var removed = axes.Length == 0 ? Enumerable.Range(0, first.Dims.Count).Where(i => first.Dims[i] == 1).Select(i => (long)i).ToHashSet() : axes.ToHashSet();
                    if (removed.Any(axis => first.Dims[(int)axis] != 1))
                    {
                        throw new WeightFormatException($"{node.Describe()} squeezes an axis of a constant that is not of size 1.");
                    }

                    return Retyped(first, context, first.Dims.Where((_, i) => !removed.Contains(i)).ToList());
                }

                case "Reshape" when inputs.Length == 2:
                {
                    long[] shape = ((ConstantValue)inputs[1]).Tensor.ToInt64s($"Input shape of {node.Describe()}");
                    long count = first.ElementCount(context);
                    var dims = new List<long>();
                    int inferred = -1;
                    long known = 1;
                    for (int i = 0; i < shape.Length; i++)
                    {
                        long entry = shape[i] == 0 && i < first.Dims.Count ? first.Dims[i] : shape[i];
                        if (entry == -1 && inferred < 0)
                        {
                            inferred = i;
                            dims.Add(1);
                            continue;
                        }

                        if (entry < 0 || (entry != 0 && known > Array.MaxLength / entry))
                        {
                            throw new WeightFormatException($"{node.Describe()} reshapes a constant to {FormatList(shape)}.");
                        }

                        known *= entry;
                        dims.Add(entry);
                    }

                    if (inferred >= 0)
                    {
                        dims[inferred] = known == 0 ? 0 : count / known;
                        known *= dims[inferred];
                    }

                    if (known != count)
                    {
                        throw new WeightFormatException($"{node.Describe()} reshapes a constant of {count} elements to {FormatList(shape)}.");
                    }

                    return Retyped(first, context, dims);
                }

                case "Concat":
                    return Concat(node, inputs.OfType<ConstantValue>().Select(c => c.Tensor).ToArray());
                case "Slice":
                {
                    (long[] starts, long[] ends, long[] axes, long[] steps) = SliceArguments(node, inputs, first.Dims.Count);
                    return SliceConstant(node, first, context, starts, ends, axes, steps);
                }

                case "Transpose":
                    return TransposeConstant(first, context, PermutationOf(node, first.Dims.Count));
                default:
                    throw Unsupported(node, "it computes on constants, and the importer evaluates only Identity, Squeeze, Unsqueeze, Reshape, Concat, Slice and Transpose of constants");
            }
        }

        /// <summary>The values of <paramref name="source"/> under new dimensions, as FLOAT or INT64.</summary>
        private OnnxTensor Retyped(OnnxTensor source, string context, IEnumerable<long> dims)
        {
            (float[]? floats, long[]? ints) = Values(source, context);
            return Build(dims, floats, ints, floats?.Length ?? ints!.Length);
        }

        private (float[]? Floats, long[]? Ints) Values(OnnxTensor tensor, string context)
            => tensor.DataType is OnnxTensor.Int64 or OnnxTensor.Int32 ? (null, tensor.ToInt64s(context)) : (tensor.ToSingles(context), null);

        private OnnxTensor Build(IEnumerable<long> dims, float[]? floats, long[]? ints, long count)
        {
            _foldBudget -= count;
            if (_foldBudget < 0)
            {
                throw new WeightFormatException("The ONNX graph's constant plumbing (Concat, Slice, …) produces more values than the file holds; the importer stops there.");
            }

            var tensor = new OnnxTensor { DataType = floats is not null ? OnnxTensor.Float : OnnxTensor.Int64 };
            tensor.Dims.AddRange(dims);
            if (floats is not null)
            {
                tensor.FloatData.AddRange(floats);
            }
            else
            {
                tensor.Int64Data.AddRange(ints!);
            }

            return tensor;
        }

        private OnnxTensor Concat(OnnxNode node, OnnxTensor[] tensors)
        {
            int rank = tensors[0].Dims.Count;
            if (rank == 0)
            {
                throw new WeightFormatException($"{node.Describe()} concatenates scalars.");
            }

            long axis = NormalizeAxis(node, IntAttribute(node, "axis", 0, node.Describe()), rank);
            bool floats = tensors[0].DataType is not (OnnxTensor.Int64 or OnnxTensor.Int32);
            var parts = new List<(float[]? F, long[]? I, long Inner)>();
            long outer = 1, total = 0;
            for (int d = 0; d < axis; d++)
            {
                outer *= tensors[0].Dims[d];
            }

            var dims = new List<long>(tensors[0].Dims) { [(int)axis] = 0 };
            foreach (OnnxTensor tensor in tensors)
            {
                bool sameKind = floats == tensor.DataType is not (OnnxTensor.Int64 or OnnxTensor.Int32);
                bool sameShape = tensor.Dims.Count == rank && Enumerable.Range(0, rank).All(d => d == axis || tensor.Dims[d] == tensors[0].Dims[d]);
                if (!sameKind || !sameShape)
                {
                    throw new WeightFormatException($"{node.Describe()} concatenates constants of different types or shapes.");
                }

                (float[]? f, long[]? i) = Values(tensor, $"An input of {node.Describe()}");
                long length = f?.Length ?? i!.Length;
                parts.Add((f, i, outer == 0 ? 0 : length / outer));
                dims[(int)axis] += tensor.Dims[(int)axis];
                total += length;
            }

            var resultF = floats ? new float[total] : null;
            var resultI = floats ? null : new long[total];
            long position = 0;
            for (long o = 0; o < outer; o++)
            {
                foreach ((float[]? f, long[]? i, long inner) in parts)
                {
                    if (floats)
                    {
                        Array.Copy(f!, o * inner, resultF!, position, inner);
                    }
                    else
                    {
                        Array.Copy(i!, o * inner, resultI!, position, inner);
                    }

                    position += inner;
                }
            }

            return Build(dims, resultF, resultI, total);
        }

        private OnnxTensor SliceConstant(OnnxNode node, OnnxTensor tensor, string context, long[] starts, long[] ends, long[] axes, long[] steps)
        {
            int rank = tensor.Dims.Count;
            var begin = new long[rank];
            var size = tensor.Dims.ToArray();
            for (int i = 0; i < axes.Length; i++)
            {
                if (steps[i] != 1)
                {
                    throw new WeightFormatException($"{node.Describe()} slices a constant with step {steps[i]}; only step 1 is evaluated.");
                }

                long length = tensor.Dims[(int)axes[i]];
                long start = Math.Clamp(starts[i] < 0 ? starts[i] + length : starts[i], 0, length);
                long end = Math.Clamp(ends[i] < 0 ? ends[i] + length : ends[i], 0, length);
                begin[axes[i]] = start;
                size[axes[i]] = Math.Max(0, end - start);
            }

            (float[]? floats, long[]? ints) = Values(tensor, context);
            long count = size.Aggregate(1L, (a, b) => a * b);
            var resultF = floats is null ? null : new float[count];
            var resultI = ints is null ? null : new long[count];
            var index = new long[rank];
            for (long n = 0; n < count; n++)
            {
                long source = 0;
                for (int d = 0; d < rank; d++)
                {
                    source = (source * tensor.Dims[d]) + begin[d] + index[d];
                }

                if (floats is not null)
                {
                    resultF![n] = floats[source];
                }
                else
                {
                    resultI![n] = ints![source];
                }

                for (int d = rank - 1; d >= 0 && ++index[d] >= size[d]; d--)
                {
                    index[d] = 0;
                }
            }

            return Build(size, resultF, resultI, count);
        }

        private OnnxTensor TransposeConstant(OnnxTensor tensor, string context, long[] perm)
        {
            int rank = tensor.Dims.Count;
            (float[]? floats, long[]? ints) = Values(tensor, context);
            long count = floats?.Length ?? ints!.Length;
            long[] dims = perm.Select(p => tensor.Dims[(int)p]).ToArray();
            var strides = new long[rank];
            for (int d = rank - 1, stride = 1; d >= 0; d--)
            {
                strides[d] = stride;
                stride *= (int)tensor.Dims[d];
            }

            var resultF = floats is null ? null : new float[count];
            var resultI = ints is null ? null : new long[count];
            var index = new long[rank];
            for (long n = 0; n < count; n++)
            {
                long source = 0;
                for (int d = 0; d < rank; d++)
                {
                    source += index[d] * strides[perm[d]];
                }

                if (floats is not null)
                {
                    resultF![n] = floats[source];
                }
                else
                {
                    resultI![n] = ints![source];
                }

                for (int d = rank - 1; d >= 0 && ++index[d] >= dims[d]; d--)
                {
                    index[d] = 0;
                }
            }

            return Build(dims, resultF, resultI, count);
        }
    }
}
