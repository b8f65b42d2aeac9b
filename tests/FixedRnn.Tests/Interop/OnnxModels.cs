using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using FixedRnn;
using FixedRnn.Interop;
using FixedRnn.Training;
using Google.Protobuf;

namespace FixedRnn.Tests.Interop;

// One model per ONNX parity fixture (Fixtures/onnx/make_onnx_fixtures.py builds the same architectures).

[RecurrentModel(inputSize: 4)]
[Lstm(12)]
[Dense(2)]
public partial class OnnxLstm4To12;

[RecurrentModel(inputSize: 3)]
[Gru(10)]
[Dense(1)]
public partial class OnnxGru3To10;

[RecurrentModel(inputSize: 5)]
[Rnn(9, Activation = RnnActivation.Relu)]
public partial class OnnxRnnRelu5To9;

[RecurrentModel(inputSize: 4)]
[Lstm(8)]
[Gru(6)]
[Dense(3)]
public partial class OnnxStackLstmGru;

[RecurrentModel(inputSize: 3)]
[Gru(7, ResetAfter = false)]
[Dense(2)]
public partial class OnnxResetBeforeGru3To7;

[RecurrentModel(inputSize: 4)]
[Lstm(12, Peepholes = true)]
[Dense(2)]
public partial class OnnxPeepholeLstm4To12;

[RecurrentModel(inputSize: 4)]
[Lstm(10, Bidirectional = true)]
[Dense(2)]
public partial class OnnxBidirectionalLstm4To10;

[RecurrentModel(inputSize: 3)]
[Gru(6, Bidirectional = true)]
[Gru(5, Bidirectional = true)]
public partial class OnnxBidirectionalGruStack;

[RecurrentModel(inputSize: 5)]
[Rnn(7, Bidirectional = true)]
[Dense(1)]
public partial class OnnxBidirectionalRnn5To7;

[RecurrentModel(inputSize: 2)]
[Rnn(5)]
public partial class OnnxRnnTanh2To5;

/// <summary>The ONNX fixtures and the layer descriptions of the models above.</summary>
internal static class OnnxFixtures
{
    public static readonly LayerDescription[] Lstm4To12 = [new(LayerKind.Lstm, 4, 12), new(LayerKind.Dense, 12, 2)];

    public static readonly LayerDescription[] Gru3To10 = [new(LayerKind.Gru, 3, 10), new(LayerKind.Dense, 10, 1)];

    public static readonly LayerDescription[] RnnRelu5To9 = [new(LayerKind.Rnn, 5, 9, Activation: LayerActivation.Relu)];

    public static readonly LayerDescription[] StackLstmGru = [new(LayerKind.Lstm, 4, 8), new(LayerKind.Gru, 8, 6), new(LayerKind.Dense, 6, 3)];

    public static readonly LayerDescription[] ResetBeforeGru3To7 = [new(LayerKind.Gru, 3, 7, ResetAfter: false), new(LayerKind.Dense, 7, 2)];

    public static readonly LayerDescription[] RnnTanh2To5 = [new(LayerKind.Rnn, 2, 5)];

    public static readonly LayerDescription[] PeepholeLstm4To12 = [new(LayerKind.Lstm, 4, 12) { Peepholes = true }, new(LayerKind.Dense, 12, 2)];

    /// <summary>
    /// A fixture file. The <c>.io.safetensors</c> files are copied to the output directory; the <c>.onnx</c>
    /// files are not (the test project copies only safetensors), so they are read from the source tree.
    /// </summary>
    public static string PathOf(string fileName)
    {
        string copied = Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx", fileName);
        if (File.Exists(copied))
        {
            return copied;
        }

        string source = typeof(OnnxFixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FixtureDirectory").Value!;
        return Path.Combine(source, "onnx", fileName);
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf($"{name}.onnx"));
}

/// <summary>
/// Writes small ONNX models field by field, for tests of inputs the fixtures do not cover (FLOAT16,
/// BFLOAT16, Constant nodes, external data, protobuf oddities).
/// </summary>
internal static class OnnxWriter
{
    public const int Float = 1;
    public const int Int32 = 6;
    public const int Float16 = 10;
    public const int Double = 11;
    public const int BFloat16 = 16;

    public static byte[] Model(byte[] graph) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.Varint);
        o.WriteInt64(7);
        o.WriteTag(7, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(graph));
    });

    /// <summary>A graph whose output is <c>Y</c>, the output the models built here compute.</summary>
    public static byte[] Graph(IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, params string[] inputs)
        => Graph(nodes, initializers, inputs, ["Y"]);

    public static byte[] Graph(IEnumerable<byte[]> nodes, IEnumerable<byte[]> initializers, string[] inputs, string[] outputs) => Message(o =>
    {
        foreach (byte[] node in nodes)
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(node));
        }

        foreach (string output in outputs)
        {
            o.WriteTag(12, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(Message(v =>
            {
                v.WriteTag(1, WireFormat.WireType.LengthDelimited);
                v.WriteString(output);
            })));
        }

        o.WriteTag(2, WireFormat.WireType.LengthDelimited);
        o.WriteString("g");
        foreach (byte[] tensor in initializers)
        {
            o.WriteTag(5, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(tensor));
        }

        foreach (string input in inputs)
        {
            o.WriteTag(11, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(Message(v =>
            {
                v.WriteTag(1, WireFormat.WireType.LengthDelimited);
                v.WriteString(input);
            })));
        }
    });

    public static byte[] Node(string opType, string name, string[] inputs, string[] outputs, params byte[][] attributes) => Message(o =>
    {
        foreach (string input in inputs)
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(input);
        }

        foreach (string output in outputs)
        {
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString(output);
        }

        o.WriteTag(3, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteString(opType);
        foreach (byte[] attribute in attributes)
        {
            o.WriteTag(5, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(attribute));
        }
    });

    public static byte[] IntAttribute(string name, long value) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(3, WireFormat.WireType.Varint);
        o.WriteInt64(value);
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(2);
    });

    public static byte[] StringAttribute(string name, string value) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(3);
    });

    public static byte[] StringsAttribute(string name, params string[] values) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        foreach (string value in values)
        {
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteString(value);
        }

        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(8);
    });

    public static byte[] FloatsAttribute(string name, params float[] values) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        foreach (float value in values)
        {
            o.WriteTag(7, WireFormat.WireType.Fixed32);
            o.WriteFloat(value);
        }

        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(6);
    });

    public static byte[] TensorAttribute(string name, byte[] tensor) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        o.WriteTag(5, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(tensor));
        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(4);
    });

    /// <summary>A tensor with <c>raw_data</c> (<paramref name="raw"/>), or with <paramref name="extra"/> writing other fields.</summary>
    public static byte[] Tensor(string name, long[] dims, int dataType, byte[]? raw, Action<CodedOutputStream>? extra = null) => Message(o =>
    {
        o.WriteTag(1, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(Message(d =>
        {
            foreach (long dim in dims)
            {
                d.WriteInt64(dim);
            }
        })));
        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(dataType);
        o.WriteTag(8, WireFormat.WireType.LengthDelimited);
        o.WriteString(name);
        if (raw is not null)
        {
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(raw));
        }

        extra?.Invoke(o);
    });

    public static byte[] FloatTensor(string name, long[] dims, float[] values)
        => Tensor(name, dims, Float, values.SelectMany(BitConverter.GetBytes).ToArray());

    public static byte[] Message(Action<CodedOutputStream> write)
    {
        using var memory = new MemoryStream();
        using (var output = new CodedOutputStream(memory, leaveOpen: true))
        {
            write(output);
        }

        return memory.ToArray();
    }
}
