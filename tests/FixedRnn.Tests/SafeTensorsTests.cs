using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests;

public sealed class SafeTensorsTests
{
    // Builds a file by hand so the reader is tested against bytes not produced by our own writer.
    private static byte[] BuildFile(byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static byte[] BuildFile(string headerJson, byte[] data) => BuildFile(Encoding.UTF8.GetBytes(headerJson), data);

    private static byte[] BuildFile(string headerJson, int dataLength) => BuildFile(headerJson, new byte[dataLength]);

    private static WeightFormatException AssertRejected(byte[] file) => Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Parse(file));

    private static string NewTempDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fixedrnn-st-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    [Fact]
    public void WriterOutputRoundTripsThroughReaderWithMetadata()
    {
        var writer = new SafeTensorsWriter();
        float[] b = [1f, -2f, 3.5f, float.MaxValue, float.Epsilon, -0f];
        float[] a = [0.25f, 0.5f, 0.75f, 1f];
        writer.Add("b.weight", b, 2, 3);
        writer.Add("a.bias", a, 4);
        writer.Add("scalar", [42f]);
        writer.Add("empty", ReadOnlySpan<float>.Empty, 0, 5);
        writer.AddMetadata("format", "pt");
        writer.AddMetadata("note", "ümlaut \"quoted\" \\ <tag>");

        byte[] bytes = writer.ToArray();
        var file = SafeTensorsFile.Parse(bytes);

        Assert.Equal(["a.bias", "b.weight", "empty", "scalar"], file.Names);
        Assert.Equal(2, file.Metadata.Count);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("ümlaut \"quoted\" \\ <tag>", file.Metadata["note"]);

        Assert.Equal(a, file.ReadSingles("a.bias"));
        Assert.Equal(b, file.ReadSingles("b.weight"));
        Assert.Equal([42f], file.ReadSingles("scalar"));
        Assert.Empty(file.ReadSingles("empty"));

        SafeTensorInfo info = file.GetInfo("b.weight");
        Assert.Equal(SafeTensorsDType.F32, info.DType);
        Assert.Equal([2L, 3L], info.Shape);
        Assert.Equal(6, info.ElementCount);
        Assert.Equal(24, info.DataLength);
        Assert.Empty(file.GetInfo("scalar").Shape);
        Assert.Equal(1, file.GetInfo("scalar").ElementCount);
        Assert.Equal([0L, 5L], file.GetInfo("empty").Shape);

        // Contiguous in name order, starting at zero, and the data section is 8-byte aligned.
        Assert.Equal(0, file.GetInfo("a.bias").DataOffset);
        Assert.Equal(16, file.GetInfo("b.weight").DataOffset);
        Assert.Equal(40, file.GetInfo("empty").DataOffset);
        Assert.Equal(40, file.GetInfo("scalar").DataOffset);
        Assert.Equal(44, file.DataSectionLength);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(bytes.Length, 8 + (int)headerLength + 44);

        Span<float> destination = stackalloc float[4];
        file.CopySingles("a.bias", destination);
        Assert.Equal(a, destination.ToArray());
    }

    [Fact]
    public void WriterIsDeterministicAndWritesTheExpectedHeader()
    {
        var first = new SafeTensorsWriter();
        first.Add("w", [1f, 2f], 2);
        first.Add("b", [3f], 1);
        first.AddMetadata("z", "1");
        first.AddMetadata("a", "2");

        var second = new SafeTensorsWriter();
        second.AddMetadata("a", "2");
        second.Add("b", [3f], 1);
        second.AddMetadata("z", "1");
        second.Add("w", [1f, 2f], 2);

        byte[] bytes = first.ToArray();
        Assert.Equal(bytes, second.ToArray());

        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        const string Expected =
            """{"__metadata__":{"a":"2","z":"1"},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        Assert.Equal(Expected, header.TrimEnd(' '));
        Assert.Equal(0, headerLength % 8);

        // Data is little-endian F32: 3, 1, 2.
        Assert.Equal(0x40400000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8 + headerLength)));
        Assert.Equal(0x3F800000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12 + headerLength)));
        Assert.Equal(0x40000000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16 + headerLength)));
    }

    [Fact]
    public void WriterRejectsInvalidInput()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1f, 2f, 3f, 4f], 2, 2);
        writer.AddMetadata("k", "v");

        Assert.Throws<ArgumentException>(() => writer.Add("w", [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f, 2f, 3f], 2, 2));
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f, 2f], 3));
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f], -1, -1));
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f], long.MaxValue, long.MaxValue, 0, 1));
        Assert.Throws<ArgumentException>(() => writer.Add("x", [1f], 1L << 40, 1L << 40));
        Assert.Throws<ArgumentException>(() => writer.Add("__metadata__", [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.Add("bad\uD800", [1f], 1));
        Assert.Throws<ArgumentNullException>(() => writer.Add(null!, [1f], 1));
        Assert.Throws<ArgumentException>(() => writer.AddMetadata("k", "other"));
        Assert.Throws<ArgumentNullException>(() => writer.AddMetadata("k2", null!));
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void WriterCopiesDataOnAdd()
    {
        var writer = new SafeTensorsWriter();
        float[] data = [1f, 2f];
        writer.Add("w", data, 2);
        data[0] = 99f;
        Assert.Equal([1f, 2f], SafeTensorsFile.Parse(writer.ToArray()).ReadSingles("w"));
    }

    [Fact]
    public void SaveThenReadRoundTripsAndLeavesNoTemporaryFile()
    {
        string directory = NewTempDirectory();
        try
        {
            string path = Path.Combine(directory, "model.safetensors");
            File.WriteAllText(path, "old contents to be replaced");

            var writer = new SafeTensorsWriter();
            writer.Add("h", [0.5f, -0.5f, 8f], 3, 1);
            writer.AddMetadata("k", "v");
            writer.Save(path);

            var file = SafeTensorsFile.Read(path);
            Assert.Equal([0.5f, -0.5f, 8f], file.ReadSingles("h"));
            Assert.Equal("v", file.Metadata["k"]);
            Assert.Equal(writer.ToArray(), File.ReadAllBytes(path));
            Assert.Equal([path], Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void SaveIntoMissingDirectoryFailsWithoutLeavingFiles()
    {
        string directory = NewTempDirectory();
        try
        {
            var writer = new SafeTensorsWriter();
            writer.Add("h", [1f], 1);
            Assert.ThrowsAny<IOException>(() => writer.Save(Path.Combine(directory, "missing", "model.safetensors")));
            Assert.Empty(Directory.GetFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void F16IsConvertedExactly()
    {
        // IEEE binary16 bit patterns: 1.5, -2, largest finite, smallest subnormal (2^-24), +infinity, -0.
        ushort[] bits = [0x3E00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x8000];
        byte[] data = new byte[bits.Length * 2];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), bits[i]);
        }

        var file = SafeTensorsFile.Parse(BuildFile("""{"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]}}""", data));

        float[] values = file.ReadSingles("h");
        Assert.Equal(1.5f, values[0]);
        Assert.Equal(-2f, values[1]);
        Assert.Equal(65504f, values[2]);
        Assert.Equal(0x33800000, BitConverter.SingleToInt32Bits(values[3])); // 2^-24 as binary32.
        Assert.Equal(float.PositiveInfinity, values[4]);
        Assert.Equal(unchecked((int)0x80000000), BitConverter.SingleToInt32Bits(values[5]));
        Assert.Equal(SafeTensorsDType.F16, file.GetInfo("h").DType);
    }

    [Fact]
    public void BF16IsConvertedExactly()
    {
        // bfloat16 is the high half of binary32: 0x3FC0 -> 1.5, 0xC040 -> -3, 0x4049 -> 3.140625, 0x7F80 -> +inf, 0x0001 -> 2^-133.
        ushort[] bits = [0x3FC0, 0xC040, 0x4049, 0x7F80, 0x0001];
        byte[] data = new byte[bits.Length * 2];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), bits[i]);
        }

        var file = SafeTensorsFile.Parse(BuildFile("""{"b":{"dtype":"BF16","shape":[5],"data_offsets":[0,10]}}""", data));

        float[] values = file.ReadSingles("b");
        Assert.Equal(1.5f, values[0]);
        Assert.Equal(-3f, values[1]);
        Assert.Equal(3.140625f, values[2]);
        Assert.Equal(float.PositiveInfinity, values[3]);
        Assert.Equal(0x00010000, BitConverter.SingleToInt32Bits(values[4]));
    }

    [Fact]
    public void F64IsConvertedWithRoundToNearest()
    {
        // 1.5, -2.5, 0.1 (nearest binary32 is 0x3DCCCCCD), 1e300 (overflows to +inf).
        ulong[] bits = [0x3FF8000000000000, 0xC004000000000000, 0x3FB999999999999A, 0x7E37E43C8800759C];
        byte[] data = new byte[bits.Length * 8];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(i * 8), bits[i]);
        }

        var file = SafeTensorsFile.Parse(BuildFile("""{"d":{"dtype":"F64","shape":[2,2],"data_offsets":[0,32]}}""", data));

        float[] values = file.ReadSingles("d");
        Assert.Equal(1.5f, values[0]);
        Assert.Equal(-2.5f, values[1]);
        Assert.Equal(0x3DCCCCCD, BitConverter.SingleToInt32Bits(values[2]));
        Assert.Equal(float.PositiveInfinity, values[3]);
    }

    [Fact]
    public void TensorsInAnyOrderAtUnalignedOffsetsWithGapsAreRead()
    {
        // Layout: 1 junk byte, "z" F32[2] at [1,9), "a" F16[1] at [9,11), 1 gap byte, "m" BF16[1] at [12,14),
        // plus zero-length tensors at the start and inside "z"'s range, which occupy nothing.
        byte[] data = new byte[15];
        data[0] = 0xAA;
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(1), 1.25f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(5), -7f);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(9), 0x3E00);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(12), 0xC040);
        const string Header = """
            {
              "m": {"dtype": "BF16", "shape": [1], "data_offsets": [12, 14]},
              "z": {"data_offsets": [1, 9], "shape": [2], "dtype": "F32"},
              "__metadata__": {"source": "hand"},
              "e0": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},
              "a": {"shape": [], "dtype": "F16", "data_offsets": [9, 11]},
              "e1": {"dtype": "I64", "shape": [3, 0], "data_offsets": [5, 5]}
            }
            """;
        var file = SafeTensorsFile.Parse(BuildFile(Header, data));

        Assert.Equal(["m", "z", "e0", "a", "e1"], file.Names);
        Assert.Equal("hand", file.Metadata["source"]);
        Assert.Equal([1.25f, -7f], file.ReadSingles("z"));
        Assert.Equal([1.5f], file.ReadSingles("a"));
        Assert.Equal([-3f], file.ReadSingles("m"));
        Assert.Empty(file.ReadSingles("e0"));
        Assert.Equal(9, file.GetInfo("a").DataOffset);
        Assert.Equal(15, file.DataSectionLength);
        Assert.Equal(data.AsSpan(1, 8).ToArray(), file.GetBytes("z").ToArray());
    }

    [Fact]
    public void HeaderPaddingAndEmptyFileAreAccepted()
    {
        var file = SafeTensorsFile.Parse(BuildFile("{}      ", 0));
        Assert.Empty(file.Names);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void LookupFailuresNameTheTensor()
    {
        var file = SafeTensorsFile.Parse(BuildFile("""{"ints":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},"f":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16));

        WeightFormatException missing = Assert.Throws<WeightFormatException>(() => file.GetInfo("nope"));
        Assert.Equal("nope", missing.TensorName);
        Assert.Contains("'nope'", missing.Message, StringComparison.Ordinal);
        Assert.False(file.TryGetInfo("nope", out _));
        Assert.True(file.TryGetInfo("ints", out SafeTensorInfo? ints));
        Assert.Equal(SafeTensorsDType.I32, ints.DType);

        WeightFormatException wrongType = Assert.Throws<WeightFormatException>(() => file.ReadSingles("ints"));
        Assert.Equal("ints", wrongType.TensorName);
        Assert.Contains("I32", wrongType.Message, StringComparison.Ordinal);
        Assert.Throws<WeightFormatException>(() => file.CopySingles("ints", new float[2]));

        Assert.Throws<ArgumentException>(() => file.CopySingles("f", new float[3]));
        Assert.Throws<ArgumentException>(() => file.CopySingles("f", new float[1]));
        Assert.Throws<ArgumentNullException>(() => file.GetInfo(null!));
        Assert.Throws<ArgumentNullException>(() => SafeTensorsFile.Parse((byte[])null!));
        Assert.Throws<ArgumentNullException>(() => SafeTensorsFile.Read(null!));
    }

    public static TheoryData<string> RejectionCases => new(s_rejections.Keys);

    // Each case: file bytes, a fragment the message must contain, and the tensor it must name (null if none).
    private static readonly Dictionary<string, (byte[] File, string Fragment, string? Tensor)> s_rejections = new()
    {
        ["shorter than length prefix"] = ([1, 2, 3], "shorter than", null),
        ["header length below 2"] = (BuildFile("{"u8.ToArray(), new byte[4]), "too small", null),
        ["header longer than 100 MB"] = (BuildFile("{}"u8.ToArray(), [], declaredHeaderLength: 100_000_001), "exceeds the limit", null),
        ["header length near 2^64"] = (BuildFile("{}"u8.ToArray(), [], declaredHeaderLength: ulong.MaxValue), "exceeds the limit", null),
        ["header beyond file"] = (BuildFile("{}"u8.ToArray(), [], declaredHeaderLength: 50), "beyond the end of the file", null),
        ["bad JSON"] = (BuildFile("""{"w": {"dtype": """, 0), "not valid JSON", null),
        ["trailing garbage after JSON"] = (BuildFile("{} x", 0), "not valid JSON", null),
        ["JSON with comments"] = (BuildFile("{/*c*/}", 0), "not valid JSON", null),
        ["header not an object"] = (BuildFile("[1, 2]", 0), "must be a JSON object", null),
        ["bad UTF-8"] = (BuildFile([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "UTF-8", null),
        ["lone surrogate escape in name"] = (BuildFile("""{"\uD800":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}""", 0), "invalid escape", null),
        ["lone surrogate escape in dtype"] = (BuildFile("""{"w":{"dtype":"\uDC00","shape":[0],"data_offsets":[0,0]}}""", 0), "invalid escape", "w"),
        ["unknown dtype"] = (BuildFile("""{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}""", 4), "'F33'", "w"),
        ["lower-case dtype"] = (BuildFile("""{"w":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}""", 4), "unknown dtype", "w"),
        ["dtype not a string"] = (BuildFile("""{"w":{"dtype":1,"shape":[1],"data_offsets":[0,4]}}""", 4), "dtype", "w"),
        ["shape and offsets disagree"] = (BuildFile("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needing 12 bytes", "w"),
        ["offsets beyond data"] = (BuildFile("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "beyond the 8-byte data section", "w"),
        ["offsets reversed"] = (BuildFile("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}""", 8), "begin exceeds its end", "w"),
        ["three offsets"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", 8), "data_offsets", "w"),
        ["negative offset"] = (BuildFile("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[-4,0]}}""", 8), "negative", "w"),
        ["overlap"] = (BuildFile("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "'a'", "b"),
        ["identical ranges"] = (BuildFile("""{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}""", 4), "overlaps tensor 'b'", "a"),
        ["overlap with non-adjacent earlier tensor"] = (BuildFile("""{"big":{"dtype":"U8","shape":[10],"data_offsets":[0,10]},"s1":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"s2":{"dtype":"U8","shape":[1],"data_offsets":[5,6]}}""", 10), "overlaps", null),
        ["duplicate names"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "more than once", "w"),
        ["duplicate names via escape"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\u0077":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "more than once", "w"),
        ["duplicate field"] = (BuildFile("""{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}""", 4), "'dtype' more than once", "w"),
        ["duplicate metadata"] = (BuildFile("""{"__metadata__":{},"__metadata__":{}}""", 0), "more than one __metadata__", null),
        ["duplicate metadata key"] = (BuildFile("""{"__metadata__":{"k":"a","k":"b"}}""", 0), "'k' more than once", null),
        ["non-string metadata value"] = (BuildFile("""{"__metadata__":{"k":1}}""", 0), "'k' must be a string", null),
        ["metadata not an object"] = (BuildFile("""{"__metadata__":"text"}""", 0), "must be an object of strings", null),
        ["negative shape"] = (BuildFile("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0), "negative shape entry -1", "w"),
        ["fractional shape"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}""", 4), "not a 64-bit integer", "w"),
        ["shape above 2^63"] = (BuildFile("""{"w":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}}""", 4), "not a 64-bit integer", "w"),
        ["string shape"] = (BuildFile("""{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}""", 4), "not a 64-bit integer", "w"),
        ["shape not an array"] = (BuildFile("""{"w":{"dtype":"F32","shape":4,"data_offsets":[0,4]}}""", 4), "not an array", "w"),
        ["shape product overflows"] = (BuildFile("""{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}""", 4), "overflows", "w"),
        ["byte size overflows"] = (BuildFile("""{"w":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}""", 8), "overflows", "w"),
        ["missing dtype"] = (BuildFile("""{"w":{"shape":[1],"data_offsets":[0,4]}}""", 4), "no dtype", "w"),
        ["missing shape"] = (BuildFile("""{"w":{"dtype":"F32","data_offsets":[0,4]}}""", 4), "no shape", "w"),
        ["missing offsets"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1]}}""", 4), "no data_offsets", "w"),
        ["unexpected field"] = (BuildFile("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":0}}""", 4), "'extra'", "w"),
        ["entry not an object"] = (BuildFile("""{"w":[1]}""", 0), "must be an object", "w"),
        ["deeply nested"] = (BuildFile(new string('[', 100) + new string(']', 100), 0), "not valid JSON", null),
        ["truncated file"] = (Truncated(), "beyond the", "w"),
    };

    private static byte[] Truncated()
    {
        byte[] file = BuildFile("""{"v":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);
        return file.AsSpan(0, file.Length - 3).ToArray();
    }

    [Theory]
    [MemberData(nameof(RejectionCases))]
    public void MalformedFilesAreRejectedNamingTheCulprit(string caseName)
    {
        (byte[] file, string fragment, string? tensor) = s_rejections[caseName];

        WeightFormatException ex = AssertRejected(file);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        if (tensor is not null)
        {
            Assert.Equal(tensor, ex.TensorName);
            Assert.Contains($"'{tensor}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void JsonErrorsAreWrappedNotLeaked()
    {
        WeightFormatException ex = AssertRejected(BuildFile("{,}", 0));
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Fact]
    public void ReadValidatesHeaderLengthAgainstTheFileBeforeReading()
    {
        string directory = NewTempDirectory();
        try
        {
            string huge = Path.Combine(directory, "huge.safetensors");
            File.WriteAllBytes(huge, BuildFile("{}"u8.ToArray(), [], declaredHeaderLength: 90_000_000));
            Assert.Contains("beyond the end of the file", Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Read(huge)).Message, StringComparison.Ordinal);

            string tiny = Path.Combine(directory, "tiny.safetensors");
            File.WriteAllBytes(tiny, [8, 0, 0]);
            Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Read(tiny));

            string truncated = Path.Combine(directory, "truncated.safetensors");
            File.WriteAllBytes(truncated, Truncated());
            Assert.Equal("w", Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Read(truncated)).TensorName);

            Assert.Throws<FileNotFoundException>(() => SafeTensorsFile.Read(Path.Combine(directory, "absent.safetensors")));
            Assert.Throws<ArgumentException>(() => SafeTensorsFile.Read(string.Empty));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void RandomMutationsOnlyEverRaiseWeightFormatException()
    {
        byte[] data = new byte[4 * 6 + 2 * 4 + 2 * 3 + 8 * 2 + 4];
        new Random(7).NextBytes(data);
        const string Header = """{"__metadata__":{"format":"pt","k":"v"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"h":{"dtype":"F16","shape":[4],"data_offsets":[24,32]},"b":{"dtype":"BF16","shape":[3,1],"data_offsets":[32,38]},"d":{"dtype":"F64","shape":[2],"data_offsets":[38,54]},"i":{"dtype":"I32","shape":[],"data_offsets":[54,58]},"z":{"dtype":"U8","shape":[0],"data_offsets":[58,58]}}""";
        byte[] original = BuildFile(Header, data);
        _ = SafeTensorsFile.Parse(original);

        // Characters that change JSON structure are far more likely than random bytes to reach deep validation paths.
        byte[] interesting = "{}[]\":,-0123456789.eE\\u \t"u8.ToArray();
        var random = new Random(20240611);
        int accepted = 0;
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            byte[] mutated = (byte[])original.Clone();
            int mutations = random.Next(1, 4);
            for (int m = 0; m < mutations && mutated.Length > 0; m++)
            {
                switch (random.Next(5))
                {
                    case 0:
                        mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                        break;
                    case 1:
                        mutated[random.Next(Math.Min(8 + Header.Length, mutated.Length))] = interesting[random.Next(interesting.Length)];
                        break;
                    case 2:
                        mutated[random.Next(Math.Min(8, mutated.Length))] ^= (byte)(1 << random.Next(8));
                        break;
                    case 3:
                        int index = random.Next(mutated.Length);
                        mutated[index] ^= (byte)(1 << random.Next(8));
                        break;
                    default:
                        mutated = mutated.AsSpan(0, random.Next(mutated.Length)).ToArray();
                        break;
                }
            }

            try
            {
                var file = SafeTensorsFile.Parse(mutated);
                foreach (SafeTensorInfo info in file.Tensors)
                {
                    if (info.DType.IsConvertibleToSingle())
                    {
                        Assert.Equal(info.ElementCount, file.ReadSingles(info.Name).LongLength);
                    }

                    Assert.Equal(info.DataLength, file.GetBytes(info.Name).Length);
                }

                accepted++;
            }
            catch (WeightFormatException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"Iteration {iteration} leaked {ex.GetType()}: {ex.Message}\nHeader: {Encoding.UTF8.GetString(mutated.AsSpan(0, Math.Min(mutated.Length, 8 + Header.Length)))}");
            }
        }

        // Most mutations are fatal, but some (inside data, or harmless whitespace) must survive, showing the loop exercises both paths.
        Assert.InRange(accepted, 1, 1999);
    }
}
