using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace FixedRnn.Interop;

/// <summary>The parts of an ONNX <c>GraphProto</c> that the weight importer reads.</summary>
internal sealed class OnnxGraph
{
    /// <summary>The nodes in file order (ONNX requires topological order).</summary>
    public List<OnnxNode> Nodes { get; } = [];

    /// <summary>The initializers in file order.</summary>
    public List<OnnxTensor> Initializers { get; } = [];

    /// <summary>The names of the graph's inputs.</summary>
    public HashSet<string> InputNames { get; } = new(StringComparer.Ordinal);

    /// <summary>The graph's inputs in order, with their declared shapes.</summary>
    public List<OnnxValueInfo> Inputs { get; } = [];

    /// <summary>The names of the graph's outputs in order.</summary>
    public List<string> OutputNames { get; } = [];
}

/// <summary>A graph input's name and declared shape: one entry per dimension, its value or -1 when symbolic or absent.</summary>
internal sealed class OnnxValueInfo
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Whether the type declares a shape at all.</summary>
    public bool HasShape { get; set; }

    public List<long> Dims { get; } = [];
}

/// <summary>The parts of an ONNX <c>NodeProto</c> that the weight importer reads.</summary>
internal sealed class OnnxNode
{
    public string Name { get; set; } = string.Empty;

    public string OpType { get; set; } = string.Empty;

    public string Domain { get; set; } = string.Empty;

    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public List<OnnxAttribute> Attributes { get; } = [];

    /// <summary>The position of the node in the graph, for messages about unnamed nodes.</summary>
    public int Index { get; set; }

    /// <summary>How messages name the node: <c>LSTM node '/lstm/LSTM'</c>, or by index when it has no name.</summary>
    public string Describe() => Name.Length > 0 ? $"{OpType} node '{Name}'" : $"{OpType} node #{Index} (unnamed)";

    /// <summary>The input at <paramref name="index"/>, or the empty string when it is absent (ONNX's optional inputs).</summary>
    public string Input(int index) => index < Inputs.Count ? Inputs[index] : string.Empty;

    /// <summary>The last attribute called <paramref name="name"/>, or <see langword="null"/>.</summary>
    public OnnxAttribute? Attribute(string name)
    {
        OnnxAttribute? found = null;
        foreach (OnnxAttribute attribute in Attributes)
        {
            if (attribute.Name == name)
            {
                found = attribute;
            }
        }

        return found;
    }
}

/// <summary>The ONNX <c>AttributeProto.AttributeType</c> values the importer distinguishes.</summary>
internal enum OnnxAttributeType
{
    Undefined = 0,
    Float = 1,
    Int = 2,
    String = 3,
    Tensor = 4,
    Graph = 5,
    Floats = 6,
    Ints = 7,
    Strings = 8,
}

/// <summary>The parts of an ONNX <c>AttributeProto</c> that the weight importer reads.</summary>
internal sealed class OnnxAttribute
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The declared type; <see cref="OnnxAttributeType.Undefined"/> when the file does not say.</summary>
    public int Type { get; set; }

    public bool HasF { get; set; }

    public float F { get; set; }

    public bool HasI { get; set; }

    public long I { get; set; }

    public bool HasS { get; set; }

    public string S { get; set; } = string.Empty;

    public OnnxTensor? T { get; set; }

    public List<float> Floats { get; } = [];

    public List<long> Ints { get; } = [];

    public List<string> Strings { get; } = [];

    /// <summary>The type the attribute holds: the declared one, or the one its fields imply.</summary>
    public OnnxAttributeType EffectiveType
    {
        get
        {
            if (Type != 0)
            {
                return (OnnxAttributeType)Type;
            }

            if (HasI)
            {
                return OnnxAttributeType.Int;
            }

            if (HasF)
            {
                return OnnxAttributeType.Float;
            }

            if (HasS)
            {
                return OnnxAttributeType.String;
            }

            if (T is not null)
            {
                return OnnxAttributeType.Tensor;
            }

            if (Ints.Count > 0)
            {
                return OnnxAttributeType.Ints;
            }

            if (Floats.Count > 0)
            {
                return OnnxAttributeType.Floats;
            }

            return Strings.Count > 0 ? OnnxAttributeType.Strings : OnnxAttributeType.Undefined;
        }
    }
}

/// <summary>
/// The parts of an ONNX <c>TensorProto</c> that the weight importer reads. Data stays in the model's
/// buffer (<see cref="RawData"/>) or in the decoded repeated fields until <see cref="ToSingles"/>.
/// </summary>
internal sealed class OnnxTensor
{
    // TensorProto.DataType values.
    public const int Float = 1;
    public const int Int32 = 6;
    public const int Int64 = 7;
    public const int Float16 = 10;
    public const int Double = 11;
    public const int BFloat16 = 16;

    public string Name { get; set; } = string.Empty;

    public List<long> Dims { get; } = [];

    public int DataType { get; set; }

    /// <summary>The <c>raw_data</c> bytes, a slice of the model's buffer; empty when absent.</summary>
    public ReadOnlyMemory<byte> RawData { get; set; }

    public bool HasRawData { get; set; }

    public List<float> FloatData { get; } = [];

    public List<double> DoubleData { get; } = [];

    /// <summary><c>int32_data</c>, which holds FLOAT16 and BFLOAT16 values as their 16 bits.</summary>
    public List<int> Int32Data { get; } = [];

    /// <summary><c>int64_data</c>: INT64 values (axes, shapes, indices).</summary>
    public List<long> Int64Data { get; } = [];

    /// <summary><c>data_location</c>: 1 (EXTERNAL) means the values live in another file.</summary>
    public int DataLocation { get; set; }

    public bool HasExternalData { get; set; }

    /// <summary>The number of elements the dimensions describe.</summary>
    /// <exception cref="WeightFormatException">A dimension is negative or the product is too large for an array.</exception>
    public long ElementCount(string context)
    {
        long count = 1;
        foreach (long dimension in Dims)
        {
            if (dimension < 0)
            {
                throw new WeightFormatException($"{context} has negative dimension {dimension}.", Name);
            }

            if (dimension != 0 && count > Array.MaxLength / dimension)
            {
                throw new WeightFormatException($"{context} has shape {FormatDims()}, too many elements to load.", Name);
            }

            count *= dimension;
        }

        return count;
    }

    /// <summary>The dimensions as text, <c>[1, 40, 3]</c>.</summary>
    public string FormatDims() => $"[{string.Join(", ", Dims)}]";

    /// <summary>Decodes the values as floats, checking that the stored data matches the dimensions.</summary>
    /// <param name="context">How messages name the tensor, such as <c>input W 'w' of LSTM node 'lstm'</c>.</param>
    /// <returns>The values in row-major order.</returns>
    /// <exception cref="WeightFormatException">The data is external, not floating point, or does not match the dimensions.</exception>
    public float[] ToSingles(string context)
    {
        if (DataLocation == 1 || HasExternalData)
        {
            throw new WeightFormatException(
                $"{context} is stored in an external data file, which is not supported; save the model with its weights inside the .onnx file.", Name);
        }

        long count = ElementCount(context);

        // The stored data is measured against the dimensions before anything is allocated, so that
        // dimensions claiming billions of elements cannot make the reader allocate more than the file holds.
        int elementSize = DataType switch
        {
            Float => sizeof(float),
            Double => sizeof(double),
            Float16 or BFloat16 => sizeof(ushort),
            _ => throw new WeightFormatException(
                $"{context} has ONNX data type {DataType}; expected a floating-point tensor (FLOAT, DOUBLE, FLOAT16 or BFLOAT16).", Name),
        };

        if (HasRawData)
        {
            if (RawData.Length != count * elementSize)
            {
                throw new WeightFormatException(
                    $"{context} has shape {FormatDims()} ({count} elements) but {RawData.Length} bytes of raw_data; expected {count * elementSize}.", Name);
            }
        }
        else
        {
            (int stored, string field) = DataType switch
            {
                Float => (FloatData.Count, "float_data"),
                Double => (DoubleData.Count, "double_data"),
                _ => (Int32Data.Count, "int32_data"),
            };
            if (stored != count)
            {
                throw new WeightFormatException(
                    $"{context} has shape {FormatDims()} ({count} elements) but {stored} values in {field}.", Name);
            }
        }

        var result = new float[count];
        ReadOnlySpan<byte> raw = RawData.Span;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = DataType switch
            {
                Float => HasRawData ? BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float))) : FloatData[i],
                Double => (float)(HasRawData ? BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * sizeof(double))) : DoubleData[i]),
                _ => Widen(HasRawData ? BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * sizeof(ushort))) : Bits16(Int32Data[i], context)),
            };

            if (DataType == Double && float.IsInfinity(result[i]) && !double.IsInfinity(HasRawData ? BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * sizeof(double))) : DoubleData[i]))
            {
                throw new WeightFormatException($"{context} holds the DOUBLE value {(HasRawData ? BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * sizeof(double))) : DoubleData[i]).ToString(System.Globalization.CultureInfo.InvariantCulture)} at element {i}, outside float's range.", Name);
            }
        }

        return result;
    }

    /// <summary>Decodes the values as 64-bit integers (INT64 or INT32 tensors: axes, shapes, indices).</summary>
    /// <exception cref="WeightFormatException">The tensor is not an integer tensor, or its data does not match the dimensions.</exception>
    public long[] ToInt64s(string context)
    {
        if (DataLocation == 1 || HasExternalData)
        {
            throw new WeightFormatException($"{context} is stored in an external data file, which is not supported.", Name);
        }

        long count = ElementCount(context);
        int size = DataType switch
        {
            Int64 => sizeof(long),
            Int32 => sizeof(int),
            _ => throw new WeightFormatException($"{context} has ONNX data type {DataType}; expected an INT64 or INT32 tensor.", Name),
        };
        int stored = HasRawData ? RawData.Length / size : DataType == Int64 ? Int64Data.Count : Int32Data.Count;
        if ((HasRawData && RawData.Length != count * size) || (!HasRawData && stored != count))
        {
            throw new WeightFormatException($"{context} has shape {FormatDims()} ({count} elements) but {stored} stored values.", Name);
        }

        var result = new long[count];
        ReadOnlySpan<byte> raw = RawData.Span;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = DataType == Int64
                ? HasRawData ? BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * sizeof(long))) : Int64Data[i]
                : HasRawData ? BinaryPrimitives.ReadInt32LittleEndian(raw.Slice(i * sizeof(int))) : Int32Data[i];
        }

        return result;
    }

    /// <summary>A FLOAT16 or BFLOAT16 value stored in <c>int32_data</c>: its 16 bits, which must be all it holds.</summary>
    private ushort Bits16(int stored, string context)
        => stored is >= 0 and <= ushort.MaxValue
            ? (ushort)stored
            : throw new WeightFormatException($"{context} holds {stored} in int32_data, outside the 16 bits of a {(DataType == Float16 ? "FLOAT16" : "BFLOAT16")} value.", Name);

    private float Widen(ushort bits) => DataType == Float16
        ? (float)BitConverter.UInt16BitsToHalf(bits)
        : BitConverter.Int32BitsToSingle(bits << 16);
}
