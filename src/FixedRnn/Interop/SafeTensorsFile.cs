using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace FixedRnn.Interop;

/// <summary>
/// A fully validated, in-memory safetensors file.
/// </summary>
/// <remarks>
/// <para>
/// The file is an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing each tensor's
/// dtype, shape and byte range, then the data section. Everything the header claims is checked before
/// an instance exists: known dtypes, non-negative integer shapes, byte ranges that match the shape, lie
/// inside the data section and do not overlap, unique names, and string-only metadata. Accessors can
/// therefore slice the data without further bounds reasoning.
/// </para>
/// <para>
/// Malformed content of any kind is reported as <see cref="WeightFormatException"/>; no other exception
/// type escapes parsing for any input bytes. Gaps between tensors and trailing bytes after the last
/// tensor are tolerated, as are tensors listed in any order and at unaligned offsets.
/// </para>
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>The largest header accepted, matching the reference implementation's limit.</summary>
    public const int MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";
    private const int LengthPrefixSize = sizeof(ulong);

    // Hostile names can be arbitrarily long or contain control characters; exception messages only quote a bounded prefix.
    private const int MaxQuotedNameLength = 120;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly Dictionary<string, SafeTensorInfo> _byName;
    private readonly ReadOnlyCollection<SafeTensorInfo> _tensors;
    private readonly ReadOnlyCollection<string> _names;

    private SafeTensorsFile(ReadOnlyMemory<byte> data, List<SafeTensorInfo> tensors, Dictionary<string, SafeTensorInfo> byName, Dictionary<string, string> metadata)
    {
        _data = data;
        _byName = byName;
        _tensors = tensors.AsReadOnly();
        var names = new string[tensors.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = tensors[i].Name;
        }

        _names = Array.AsReadOnly(names);
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
    }

    /// <summary>Gets the free-form string metadata from the header's <c>__metadata__</c> entry; empty if there is none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the tensor names in header order.</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Gets the tensor descriptions in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors => _tensors;

    /// <summary>Gets the length in bytes of the data section.</summary>
    public long DataSectionLength => _data.Length;

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The validated file, held entirely in memory.</returns>
    /// <remarks>
    /// Only regular files are read (a FIFO or device fails at once, before it is opened), and the buffer is sized
    /// from the file's length, never from the header, so memory use is bounded by the file size whatever the
    /// header claims. Every format error names <paramref name="path"/>; a file whose first bytes are not a
    /// safetensors header length followed by a JSON object is reported as "not a safetensors file".
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="WeightFormatException">The content is malformed, the path is a directory or a special file,
    /// or the file is larger than a single array can hold.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">Part of the path does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
    /// <exception cref="IOException">Any other file-system failure, including the file changing length while it is read.</exception>
    public static SafeTensorsFile Read(string path)
    {
        byte[] bytes = WeightFileReader.ReadAll(path, "safetensors", Array.MaxLength);
        return ParseFile(bytes, path);
    }

    /// <summary>Parses a whole file read from <paramref name="path"/>, naming the path in every error.</summary>
    internal static SafeTensorsFile ParseFile(byte[] bytes, string path)
    {
        string? notSafeTensors = DescribeIfNotSafeTensors(bytes);
        if (notSafeTensors is not null)
        {
            throw new WeightFormatException($"'{path}' is not a safetensors file: {notSafeTensors}");
        }

        try
        {
            return Parse(bytes);
        }
        catch (WeightFormatException ex)
        {
            throw new WeightFormatException($"'{path}': {ex.Message}", ex.TensorName, ex);
        }
    }

    /// <summary>
    /// Why <paramref name="bytes"/> cannot be a safetensors file at all (no plausible header length, or no JSON object
    /// after it), or <see langword="null"/> if it starts like one.
    /// </summary>
    internal static string? DescribeIfNotSafeTensors(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < LengthPrefixSize + 2)
        {
            return $"it is {bytes.Length} bytes long, too short for the 8-byte header length and a JSON header.";
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (declared < 2 || declared > MaxHeaderLength || declared > (ulong)(bytes.Length - LengthPrefixSize))
        {
            return $"its first 8 bytes ({Hex(bytes[..8])}) read as a header length of {declared} bytes, "
                + $"which {(declared > (ulong)(bytes.Length - LengthPrefixSize) ? $"extends beyond the end of the file ({bytes.Length - LengthPrefixSize} bytes follow)" : "is out of range")}"
                + $"{FormatHint(bytes)}.";
        }

        if (bytes[LengthPrefixSize] != (byte)'{')
        {
            return $"its header does not start with '{{' (byte 8 is 0x{bytes[LengthPrefixSize]:X2}){FormatHint(bytes)}.";
        }

        return null;
    }

    private static string FormatHint(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
        {
            return "; it is a zip archive (torch.save writes one: use LoadPyTorch, which reads both; a Keras .keras file is one too: use LoadKeras)";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "; it is an HDF5 file (Keras .h5 / .weights.h5: use LoadKeras)";
        }

        if (bytes.Length >= 2 && bytes[0] == 0x80 && bytes[1] <= 5)
        {
            return "; it is a Python pickle (a legacy torch.save file?)";
        }

        return string.Empty;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => System.Convert.ToHexString(bytes);

    /// <summary>Validates a safetensors file held in memory.</summary>
    /// <param name="bytes">The whole file. It is referenced, not copied: do not modify it afterwards.</param>
    /// <returns>The validated file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The content is malformed.</exception>
    public static SafeTensorsFile Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(new ReadOnlyMemory<byte>(bytes));
    }

    /// <summary>Validates a safetensors file held in memory.</summary>
    /// <param name="bytes">The whole file. It is referenced, not copied: do not modify it afterwards.</param>
    /// <returns>The validated file.</returns>
    /// <exception cref="WeightFormatException">The content is malformed.</exception>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length < LengthPrefixSize)
        {
            throw TooShort(bytes.Length);
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Span);
        ValidateHeaderLength(declared, bytes.Length);
        int headerLength = (int)declared;

        ReadOnlyMemory<byte> header = bytes.Slice(LengthPrefixSize, headerLength);
        ReadOnlyMemory<byte> data = bytes.Slice(LengthPrefixSize + headerLength);

        // System.Text.Json only checks UTF-8 lazily, when a string is materialized, and then throws
        // InvalidOperationException; checking up front keeps the failure a format error wherever it is.
        if (!Utf8.IsValid(header.Span))
        {
            throw new WeightFormatException("The header is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw new WeightFormatException($"The header is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return Build(document.RootElement, data);
        }
    }

    /// <summary>Looks up a tensor's description.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="info">The description, or <see langword="null"/> if there is no such tensor.</param>
    /// <returns><see langword="true"/> if the tensor exists.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    public bool TryGetInfo(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SafeTensorInfo? info)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out info);
    }

    /// <summary>Gets a tensor's description.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The description.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The file has no tensor called <paramref name="name"/>.</exception>
    public SafeTensorInfo GetInfo(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.TryGetValue(name, out SafeTensorInfo? info))
        {
            throw new WeightFormatException($"The file has no tensor {Quote(name)}.", name);
        }

        return info;
    }

    /// <summary>Gets a tensor's raw little-endian bytes.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The tensor's bytes within the data section.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The file has no tensor called <paramref name="name"/>.</exception>
    public ReadOnlyMemory<byte> GetBytes(string name)
    {
        SafeTensorInfo info = GetInfo(name);
        return _data.Slice((int)info.DataOffset, (int)info.DataLength);
    }

    /// <summary>Reads a floating-point tensor, converting its elements to <see cref="float"/>.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A new array of <see cref="SafeTensorInfo.ElementCount"/> elements in row-major order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The file has no such tensor, or its dtype is not F64, F32, F16 or BF16.</exception>
    public float[] ReadSingles(string name)
    {
        SafeTensorInfo info = GetInfo(name);
        EnsureConvertible(info);
        float[] result = new float[info.ElementCount];
        Convert(info, result);
        return result;
    }

    /// <summary>Reads a floating-point tensor into <paramref name="destination"/>, converting its elements to <see cref="float"/>.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="destination">Receives the elements in row-major order; its length must equal <see cref="SafeTensorInfo.ElementCount"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The file has no such tensor, or its dtype is not F64, F32, F16 or BF16.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void CopySingles(string name, Span<float> destination)
    {
        SafeTensorInfo info = GetInfo(name);
        EnsureConvertible(info);
        if (destination.Length != info.ElementCount)
        {
            throw new ArgumentException(
                $"Tensor {Quote(name)} has {info.ElementCount} elements but the destination has room for {destination.Length}.",
                nameof(destination));
        }

        Convert(info, destination);
    }

    private void Convert(SafeTensorInfo info, Span<float> destination)
    {
        ReadOnlySpan<byte> source = _data.Span.Slice((int)info.DataOffset, (int)info.DataLength);
        switch (info.DType)
        {
            case SafeTensorsDType.F32:
                // A byte copy is alignment-agnostic, which matters because offsets need not be multiples of 4.
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                if (!BitConverter.IsLittleEndian)
                {
                    Span<int> bits = MemoryMarshal.Cast<float, int>(destination);
                    BinaryPrimitives.ReverseEndianness(bits, bits);
                }

                break;

            case SafeTensorsDType.F16:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(i * 2));
                }

                break;

            case SafeTensorsDType.BF16:
                // bfloat16 is exactly the top 16 bits of a binary32, so widening is lossless, NaN payloads included.
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(i * 2)) << 16);
                }

                break;

            case SafeTensorsDType.F64:
                for (int i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source.Slice(i * 8));
                }

                break;
        }
    }

    private static void EnsureConvertible(SafeTensorInfo info)
    {
        if (!info.DType.IsConvertibleToSingle())
        {
            throw new WeightFormatException(
                $"Tensor {Quote(info.Name)} has dtype {info.DType.GetHeaderName()}, which cannot be read as float; expected F32, F16, BF16 or F64.",
                info.Name);
        }
    }

    private static void ValidateHeaderLength(ulong declared, long fileLength)
    {
        if (declared < 2)
        {
            throw new WeightFormatException($"The declared header length {declared} is too small to hold a JSON object.");
        }

        if (declared > MaxHeaderLength)
        {
            throw new WeightFormatException($"The declared header length {declared} exceeds the limit of {MaxHeaderLength} bytes.");
        }

        // fileLength >= LengthPrefixSize here, so the subtraction cannot go negative.
        if ((long)declared > fileLength - LengthPrefixSize)
        {
            throw new WeightFormatException(
                $"The declared header length {declared} extends beyond the end of the file ({fileLength - LengthPrefixSize} bytes follow the length prefix).");
        }
    }

    private static WeightFormatException TooShort(long length) =>
        new($"The file is {length} bytes long, shorter than the {LengthPrefixSize}-byte header length prefix.");

    private static SafeTensorsFile Build(JsonElement root, ReadOnlyMemory<byte> data)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new WeightFormatException($"The header must be a JSON object, not {root.ValueKind}.");
        }

        var tensors = new List<SafeTensorInfo>();
        var byName = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        bool sawMetadata = false;

        foreach (JsonProperty property in root.EnumerateObject())
        {
            string name = GetName(property, context: null);
            if (name == MetadataKey)
            {
                if (sawMetadata)
                {
                    throw new WeightFormatException($"The header has more than one {MetadataKey} entry.");
                }

                sawMetadata = true;
                ReadMetadata(property.Value, metadata);
                continue;
            }

            if (byName.ContainsKey(name))
            {
                throw new WeightFormatException($"The header lists tensor {Quote(name)} more than once.", name);
            }

            SafeTensorInfo info = ReadTensor(name, property.Value, data.Length);
            byName.Add(name, info);
            tensors.Add(info);
        }

        CheckOverlaps(tensors);
        return new SafeTensorsFile(data, tensors, byName, metadata);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new WeightFormatException($"{MetadataKey} must be an object of strings, not {value.ValueKind}.");
        }

        foreach (JsonProperty entry in value.EnumerateObject())
        {
            string key = GetName(entry, context: null);
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw new WeightFormatException($"{MetadataKey} entry {Quote(key)} must be a string, not {entry.Value.ValueKind}.");
            }

            if (!metadata.TryAdd(key, GetString(entry.Value, context: null)))
            {
                throw new WeightFormatException($"{MetadataKey} lists key {Quote(key)} more than once.");
            }
        }
    }

    private static SafeTensorInfo ReadTensor(string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(name, $"must be an object, not {value.ValueKind}");
        }

        string? dtypeText = null;
        long[]? shape = null;
        long[]? offsets = null;
        foreach (JsonProperty field in value.EnumerateObject())
        {
            string fieldName = GetName(field, name);
            switch (fieldName)
            {
                case "dtype":
                    EnsureFirst(dtypeText is null, name, fieldName);
                    if (field.Value.ValueKind != JsonValueKind.String)
                    {
                        throw Error(name, $"has a dtype that is {field.Value.ValueKind}, not a string");
                    }

                    dtypeText = GetString(field.Value, name);
                    break;

                case "shape":
                    EnsureFirst(shape is null, name, fieldName);
                    shape = ReadNonNegativeIntegers(name, fieldName, field.Value);
                    break;

                case "data_offsets":
                    EnsureFirst(offsets is null, name, fieldName);
                    offsets = ReadNonNegativeIntegers(name, fieldName, field.Value);
                    if (offsets.Length != 2)
                    {
                        throw Error(name, $"has {offsets.Length} data_offsets; expected [begin, end]");
                    }

                    break;

                default:
                    // Strict: an unknown field more likely signals a corrupt or misunderstood file than a benign extension.
                    throw Error(name, $"has unexpected field {Quote(fieldName)}");
            }
        }

        if (dtypeText is null)
        {
            throw Error(name, "has no dtype");
        }

        if (shape is null)
        {
            throw Error(name, "has no shape");
        }

        if (offsets is null)
        {
            throw Error(name, "has no data_offsets");
        }

        if (!SafeTensorsDTypeExtensions.TryParse(dtypeText, out SafeTensorsDType dtype))
        {
            throw Error(name, $"has unknown dtype {Quote(dtypeText)}");
        }

        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end)
        {
            throw Error(name, $"has data_offsets [{begin}, {end}] whose begin exceeds its end");
        }

        if (end > dataLength)
        {
            throw Error(name, $"has data_offsets [{begin}, {end}] beyond the {dataLength}-byte data section");
        }

        long elementCount = 1;
        long byteLength;
        try
        {
            foreach (long dimension in shape)
            {
                elementCount = checked(elementCount * dimension);
            }

            byteLength = checked(elementCount * dtype.GetElementSize());
        }
        catch (OverflowException ex)
        {
            throw new WeightFormatException($"Tensor {Quote(name)} has a shape whose size overflows 64 bits.", name, ex);
        }

        if (byteLength != end - begin)
        {
            throw Error(
                name,
                $"has shape [{string.Join(", ", shape)}] of {dtype.GetHeaderName()} needing {byteLength} bytes, but data_offsets [{begin}, {end}] span {end - begin}");
        }

        return new SafeTensorInfo(name, dtype, shape, elementCount, begin, byteLength);
    }

    private static long[] ReadNonNegativeIntegers(string tensorName, string fieldName, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(tensorName, $"has a {fieldName} that is {value.ValueKind}, not an array");
        }

        var result = new long[value.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            // TryGetInt64 rejects fractions, exponents and out-of-range values, so 2.0, 2e0 and 2^63 all fail here.
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long number))
            {
                throw Error(tensorName, $"has a {fieldName} entry {ShortRaw(item)} that is not a 64-bit integer");
            }

            if (number < 0)
            {
                throw Error(tensorName, $"has a negative {fieldName} entry {number}");
            }

            result[i++] = number;
        }

        return result;
    }

    private static void CheckOverlaps(List<SafeTensorInfo> tensors)
    {
        // Zero-length tensors occupy no bytes, so they cannot collide with anything wherever they sit.
        // Ties break on header position so the tensor reported as the culprit does not depend on the sort algorithm.
        var occupied = new List<(SafeTensorInfo Info, int Index)>(tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].DataLength > 0)
            {
                occupied.Add((tensors[i], i));
            }
        }

        occupied.Sort(static (a, b) =>
        {
            int order = a.Info.DataOffset.CompareTo(b.Info.DataOffset);
            return order != 0 ? order : a.Index.CompareTo(b.Index);
        });

        for (int i = 1; i < occupied.Count; i++)
        {
            SafeTensorInfo previous = occupied[i - 1].Info;
            SafeTensorInfo current = occupied[i].Info;

            // Checking neighbours suffices: the ranges before this one are sorted and disjoint (or we would have
            // thrown already), so the one just before reaches furthest.
            if (current.DataOffset < previous.DataOffset + previous.DataLength)
            {
                throw new WeightFormatException(
                    $"Tensor {Quote(current.Name)} at bytes [{current.DataOffset}, {current.DataOffset + current.DataLength}) overlaps tensor {Quote(previous.Name)} at [{previous.DataOffset}, {previous.DataOffset + previous.DataLength}).",
                    current.Name);
            }
        }
    }

    private static void EnsureFirst(bool first, string tensorName, string fieldName)
    {
        // JsonDocument keeps duplicate keys; silently taking one of them would let two readers disagree about the file.
        if (!first)
        {
            throw Error(tensorName, $"has field {Quote(fieldName)} more than once");
        }
    }

    private static string GetName(JsonProperty property, string? context)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex)
        {
            // Escapes such as \uD800 decode to lone surrogates, which System.Text.Json refuses to turn into a string.
            throw InvalidEscape("key", context, ex);
        }
    }

    private static string GetString(JsonElement element, string? context)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw InvalidEscape("string", context, ex);
        }
    }

    private static WeightFormatException InvalidEscape(string what, string? context, Exception inner) =>
        context is null
            ? new($"The header contains a {what} with an invalid escape sequence.", inner)
            : new($"Tensor {Quote(context)} contains a {what} with an invalid escape sequence.", context, inner);

    private static WeightFormatException Error(string tensorName, string problem) =>
        new($"Tensor {Quote(tensorName)} {problem}.", tensorName);

    private static string ShortRaw(JsonElement element)
    {
        string raw = element.GetRawText();
        return raw.Length <= MaxQuotedNameLength ? raw : string.Concat(raw.AsSpan(0, MaxQuotedNameLength), "...");
    }

    private static string Quote(string name) =>
        name.Length <= MaxQuotedNameLength
            ? $"'{name}'"
            : $"'{name.AsSpan(0, MaxQuotedNameLength)}...' ({name.Length} characters)";
}
