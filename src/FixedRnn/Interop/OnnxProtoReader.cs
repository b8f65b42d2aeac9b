using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using Google.Protobuf;

namespace FixedRnn.Interop;

/// <summary>
/// Reads the parts of an ONNX <c>ModelProto</c> that the weight importer needs, field by field with
/// <see cref="CodedInputStream"/>: no generated message classes and no reflection, so the library
/// stays trimmable and NativeAOT-compatible.
/// </summary>
/// <remarks>
/// <para>
/// Read: <c>ModelProto.graph</c>; <c>GraphProto.node</c>, <c>initializer</c>, <c>input</c> (names);
/// <c>NodeProto.input</c>, <c>output</c>, <c>name</c>, <c>op_type</c>, <c>domain</c>, <c>attribute</c>;
/// <c>AttributeProto.name</c>, <c>type</c>, <c>f</c>, <c>i</c>, <c>s</c>, <c>t</c>, <c>floats</c>,
/// <c>ints</c>, <c>strings</c>; <c>TensorProto.dims</c>, <c>data_type</c>, <c>float_data</c>,
/// <c>int32_data</c>, <c>name</c>, <c>raw_data</c>, <c>double_data</c>, <c>external_data</c>,
/// <c>data_location</c>. Every other field is skipped, including sub-graphs, so nesting is bounded.
/// </para>
/// <para>
/// Protobuf's rules hold: repeated scalars are accepted packed and unpacked, a field with an
/// unexpected wire type is treated as unknown, a repeated embedded message merges into the previous
/// occurrence of a singular one, and for singular scalars the last occurrence wins. Groups
/// (deprecated, never written by ONNX) and invalid wire types are rejected. Nested messages are read
/// in place from the model's buffer; only strings and decoded numbers are copied.
/// </para>
/// </remarks>
internal static class OnnxProtoReader
{
    /// <summary>The most nodes a graph may have (torch.onnx.export writes about 15 per recurrent layer).</summary>
    public const int MaxNodes = 10_000;

    /// <summary>The most initializers, graph inputs or graph outputs a graph may have.</summary>
    public const int MaxGraphValues = 100_000;

    /// <summary>The most inputs, outputs or attributes one node may have.</summary>
    public const int MaxPerNode = 256;

    /// <summary>The most dimensions a tensor or a declared shape may have.</summary>
    public const int MaxDims = 32;

    /// <summary>The most values one attribute list (<c>floats</c>, <c>ints</c>, <c>strings</c>) may hold.</summary>
    public const int MaxAttributeValues = 1 << 16;

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>Parses a serialized <c>ModelProto</c>.</summary>
    /// <param name="model">The whole file; referenced, not copied.</param>
    /// <returns>The model's main graph.</returns>
    /// <exception cref="WeightFormatException">The bytes are not a well-formed ModelProto, or it has no graph.</exception>
    public static OnnxGraph ReadModel(byte[] model)
    {
        try
        {
            var graph = new OnnxGraph();
            bool sawGraph = false;
            var reader = new Reader(model, 0, model.Length);
            while (reader.Next(out int field, out int wire))
            {
                if (field == 7 && wire == WireDelimited)
                {
                    // ModelProto.graph; a repeated occurrence of a singular message merges into the first.
                    ReadGraph(reader.ReadMessage(), graph);
                    sawGraph = true;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!sawGraph)
            {
                throw new WeightFormatException("It is not an ONNX file: the ModelProto has no graph (field 7).");
            }

            return graph;
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new WeightFormatException($"It is not an ONNX file: not a well-formed protobuf message ({ex.Message}).", ex);
        }
    }

    private static void ReadGraph(Reader reader, OnnxGraph graph)
    {
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == WireDelimited:
                    Limit(graph.Nodes.Count, MaxNodes, "nodes");
                    var node = new OnnxNode { Index = graph.Nodes.Count };
                    ReadNode(reader.ReadMessage(), node);
                    graph.Nodes.Add(node);
                    break;
                case 5 when wire == WireDelimited:
                    Limit(graph.Initializers.Count, MaxGraphValues, "initializers");
                    var tensor = new OnnxTensor();
                    ReadTensor(reader.ReadMessage(), tensor);
                    graph.Initializers.Add(tensor);
                    break;
                case 11 when wire == WireDelimited:
                    Limit(graph.Inputs.Count, MaxGraphValues, "graph inputs");
                    OnnxValueInfo input = ReadValueInfo(reader.ReadMessage());
                    graph.Inputs.Add(input);
                    graph.InputNames.Add(input.Name);
                    break;
                case 12 when wire == WireDelimited:
                    Limit(graph.OutputNames.Count, MaxGraphValues, "graph outputs");
                    graph.OutputNames.Add(ReadValueInfo(reader.ReadMessage()).Name);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    /// <summary>ValueInfoProto: name (1) and type (2) → TypeProto.tensor_type (1) → shape (2) → dim (1) → dim_value (1).</summary>
    private static OnnxValueInfo ReadValueInfo(Reader reader)
    {
        var info = new OnnxValueInfo();
        while (reader.Next(out int field, out int wire))
        {
            if (field == 1 && wire == WireDelimited)
            {
                info.Name = reader.ReadString();
            }
            else if (field == 2 && wire == WireDelimited)
            {
                Reader type = reader.ReadMessage();
                while (type.Next(out int typeField, out int typeWire))
                {
                    if (typeField == 1 && typeWire == WireDelimited)
                    {
                        ReadTensorType(type.ReadMessage(), info);
                    }
                    else
                    {
                        type.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return info;
    }

    private static void ReadTensorType(Reader reader, OnnxValueInfo info)
    {
        while (reader.Next(out int field, out int wire))
        {
            if (field == 2 && wire == WireDelimited)
            {
                info.HasShape = true;
                Reader shape = reader.ReadMessage();
                while (shape.Next(out int shapeField, out int shapeWire))
                {
                    if (shapeField != 1 || shapeWire != WireDelimited)
                    {
                        shape.Skip();
                        continue;
                    }

                    Limit(info.Dims.Count, MaxDims, "dimensions in a declared shape");
                    long value = -1;
                    Reader dimension = shape.ReadMessage();
                    while (dimension.Next(out int dimField, out int dimWire))
                    {
                        if (dimField == 1 && dimWire == WireVarint)
                        {
                            value = dimension.ReadInt64();
                        }
                        else
                        {
                            dimension.Skip();
                        }
                    }

                    info.Dims.Add(value);
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void Limit(int count, int max, string what)
    {
        if (count >= max)
        {
            throw new WeightFormatException($"The ONNX model has more than {max} {what}; no model FixedRnn computes needs that many.");
        }
    }

    private static void ReadNode(Reader reader, OnnxNode node)
    {
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == WireDelimited:
                    Limit(node.Inputs.Count, MaxPerNode, "inputs of one node");
                    node.Inputs.Add(reader.ReadString());
                    break;
                case 2 when wire == WireDelimited:
                    Limit(node.Outputs.Count, MaxPerNode, "outputs of one node");
                    node.Outputs.Add(reader.ReadString());
                    break;
                case 3 when wire == WireDelimited:
                    node.Name = reader.ReadString();
                    break;
                case 4 when wire == WireDelimited:
                    node.OpType = reader.ReadString();
                    break;
                case 5 when wire == WireDelimited:
                    Limit(node.Attributes.Count, MaxPerNode, "attributes of one node");
                    var attribute = new OnnxAttribute();
                    ReadAttribute(reader.ReadMessage(), attribute);
                    node.Attributes.Add(attribute);
                    break;
                case 7 when wire == WireDelimited:
                    node.Domain = reader.ReadString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static void ReadAttribute(Reader reader, OnnxAttribute attribute)
    {
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == WireDelimited:
                    attribute.Name = reader.ReadString();
                    break;
                case 2 when wire == WireFixed32:
                    attribute.F = reader.ReadFloat();
                    attribute.HasF = true;
                    break;
                case 3 when wire == WireVarint:
                    attribute.I = reader.ReadInt64();
                    attribute.HasI = true;
                    break;
                case 4 when wire == WireDelimited:
                    attribute.S = reader.ReadString();
                    attribute.HasS = true;
                    break;
                case 5 when wire == WireDelimited:
                    attribute.T ??= new OnnxTensor();
                    ReadTensor(reader.ReadMessage(), attribute.T);
                    break;
                case 7 when wire == WireFixed32:
                    Limit(attribute.Floats.Count, MaxAttributeValues, "values in one attribute");
                    attribute.Floats.Add(reader.ReadFloat());
                    break;
                case 7 when wire == WireDelimited:
                    reader.ReadPackedFloats(attribute.Floats, MaxAttributeValues);
                    break;
                case 8 when wire == WireVarint:
                    Limit(attribute.Ints.Count, MaxAttributeValues, "values in one attribute");
                    attribute.Ints.Add(reader.ReadInt64());
                    break;
                case 8 when wire == WireDelimited:
                    reader.ReadPackedVarints(attribute.Ints, MaxAttributeValues);
                    break;
                case 9 when wire == WireDelimited:
                    Limit(attribute.Strings.Count, MaxAttributeValues, "values in one attribute");
                    attribute.Strings.Add(reader.ReadString());
                    break;
                case 20 when wire == WireVarint:
                    attribute.Type = reader.ReadInt32();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    private static void ReadTensor(Reader reader, OnnxTensor tensor)
    {
        while (reader.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == WireVarint:
                    Limit(tensor.Dims.Count, MaxDims, "dimensions in one tensor");
                    tensor.Dims.Add(reader.ReadInt64());
                    break;
                case 1 when wire == WireDelimited:
                    reader.ReadPackedVarints(tensor.Dims, MaxDims);
                    break;
                case 2 when wire == WireVarint:
                    tensor.DataType = reader.ReadInt32();
                    break;
                case 4 when wire == WireFixed32:
                    tensor.FloatData.Add(reader.ReadFloat());
                    break;
                case 4 when wire == WireDelimited:
                    reader.ReadPackedFloats(tensor.FloatData);
                    break;
                case 5 when wire == WireVarint:
                    tensor.Int32Data.Add(reader.ReadInt32());
                    break;
                case 5 when wire == WireDelimited:
                    reader.ReadPackedInt32s(tensor.Int32Data);
                    break;
                case 7 when wire == WireVarint:
                    tensor.Int64Data.Add(reader.ReadInt64());
                    break;
                case 7 when wire == WireDelimited:
                    reader.ReadPackedVarints(tensor.Int64Data, int.MaxValue);
                    break;
                case 8 when wire == WireDelimited:
                    tensor.Name = reader.ReadString();
                    break;
                case 9 when wire == WireDelimited:
                    tensor.RawData = reader.ReadBytesInPlace();
                    tensor.HasRawData = true;
                    break;
                case 10 when wire == WireFixed64:
                    tensor.DoubleData.Add(reader.ReadDouble());
                    break;
                case 10 when wire == WireDelimited:
                    reader.ReadPackedDoubles(tensor.DoubleData);
                    break;
                case 13 when wire == WireDelimited:
                    tensor.HasExternalData = true;
                    reader.Skip();
                    break;
                case 14 when wire == WireVarint:
                    tensor.DataLocation = reader.ReadInt32();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
    }

    /// <summary>
    /// A cursor over one message, a range of the model's buffer. Positions are absolute offsets into the
    /// buffer, which is how <see cref="CodedInputStream.Position"/> reports them for a stream made over a
    /// slice of an array.
    /// </summary>
    private sealed class Reader
    {
        private readonly byte[] _buffer;
        private readonly int _end;
        private readonly CodedInputStream _stream;

        public Reader(byte[] buffer, int start, int length)
        {
            _buffer = buffer;
            _end = start + length;
            _stream = new CodedInputStream(buffer, start, length);
        }

        /// <summary>Reads the next tag; <see langword="false"/> at the end of the message.</summary>
        public bool Next(out int field, out int wire)
        {
            uint tag = _stream.ReadTag();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            if (tag == 0)
            {
                return false;
            }

            if (wire is not (WireVarint or WireFixed64 or WireDelimited or WireFixed32))
            {
                // Groups are deprecated and never written by ONNX; skipping them would recurse without a bound.
                throw new WeightFormatException($"The ONNX model uses protobuf wire type {wire} (field {field}), which is a group or invalid.");
            }

            return true;
        }

        public void Skip() => _stream.SkipLastField();

        public string ReadString() => _stream.ReadString();

        public float ReadFloat() => _stream.ReadFloat();

        public double ReadDouble() => _stream.ReadDouble();

        public long ReadInt64() => _stream.ReadInt64();

        public int ReadInt32() => _stream.ReadInt32();

        /// <summary>Reads a length-delimited field's bytes as a slice of the buffer, without copying.</summary>
        public ReadOnlyMemory<byte> ReadBytesInPlace()
        {
            (int start, int length) = ReadDelimitedRange();
            return new ReadOnlyMemory<byte>(_buffer, start, length);
        }

        /// <summary>Reads an embedded message: a reader over its bytes.</summary>
        public Reader ReadMessage()
        {
            (int start, int length) = ReadDelimitedRange();
            return new Reader(_buffer, start, length);
        }

        public void ReadPackedFloats(List<float> values, int max = int.MaxValue)
        {
            ReadOnlySpan<byte> bytes = ReadPacked(sizeof(float));
            Limit(values.Count + (bytes.Length / sizeof(float)) - 1, max, "values in one attribute");
            values.Capacity = Math.Max(values.Capacity, values.Count + (bytes.Length / sizeof(float)));
            for (int i = 0; i < bytes.Length; i += sizeof(float))
            {
                values.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i)));
            }
        }

        public void ReadPackedDoubles(List<double> values)
        {
            ReadOnlySpan<byte> bytes = ReadPacked(sizeof(double));
            for (int i = 0; i < bytes.Length; i += sizeof(double))
            {
                values.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i)));
            }
        }

        public void ReadPackedVarints(List<long> values, int max)
        {
            (int start, int length) = ReadDelimitedRange();
            var inner = new Reader(_buffer, start, length);
            while (inner.Remaining > 0)
            {
                Limit(values.Count, max, "values in one packed field");
                values.Add(inner._stream.ReadInt64());
            }
        }

        public void ReadPackedInt32s(List<int> values)
        {
            (int start, int length) = ReadDelimitedRange();
            var inner = new Reader(_buffer, start, length);
            while (inner.Remaining > 0)
            {
                values.Add(inner._stream.ReadInt32());
            }
        }

        private int Remaining => _end - (int)_stream.Position;

        private ReadOnlySpan<byte> ReadPacked(int elementSize)
        {
            (int start, int length) = ReadDelimitedRange();
            if (length % elementSize != 0)
            {
                throw new WeightFormatException($"A packed field of {elementSize}-byte values is {length} bytes long, not a multiple of {elementSize}.");
            }

            return new ReadOnlySpan<byte>(_buffer, start, length);
        }

        /// <summary>
        /// Skips the length-delimited field whose tag was just read, letting <see cref="CodedInputStream"/>
        /// validate its length against the message's end, and returns where its payload lies.
        /// </summary>
        private (int Start, int Length) ReadDelimitedRange()
        {
            long before = _stream.Position;
            _stream.SkipLastField();
            long after = _stream.Position;

            // The skipped bytes are a varint length and the payload; decode the varint to find the payload.
            int position = checked((int)before);
            ulong length = 0;
            int shift = 0;
            while (true)
            {
                if (position >= after || shift > 63)
                {
                    throw new WeightFormatException("A length-delimited field has a malformed length.");
                }

                byte b = _buffer[position++];
                length |= (ulong)(b & 0x7F) << shift;
                shift += 7;
                if (b < 0x80)
                {
                    break;
                }
            }

            if (after > _end || length != (ulong)(after - position))
            {
                throw new WeightFormatException("A length-delimited field's length disagrees with its extent.");
            }

            return (position, (int)length);
        }
    }
}
