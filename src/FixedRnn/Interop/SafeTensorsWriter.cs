using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FixedRnn.Interop;

/// <summary>
/// Builds a safetensors file of floating-point tensors (F32, F16, BF16 or F64) and string metadata.
/// </summary>
/// <remarks>
/// Output is deterministic: <c>__metadata__</c> first (keys in ordinal order), then tensors in ordinal name order,
/// each tensor's data directly after the previous one's, and the header padded with spaces so the data section
/// starts at a multiple of 8 bytes. Instances are not thread-safe.
/// </remarks>
public sealed class SafeTensorsWriter
{
    private const string MetadataKey = "__metadata__";
    private const int LengthPrefix = sizeof(ulong);

    // Tensor data is copied on Add so later changes to the caller's buffers cannot alter what is written.
    private readonly SortedDictionary<string, (long[] Shape, SafeTensorsDType DType, byte[] Bytes)> _tensors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> _metadata = new(StringComparer.Ordinal);

    /// <summary>Gets the number of tensors added so far.</summary>
    public int Count => _tensors.Count;

    /// <summary>The names of the tensors added so far, in ordinal order.</summary>
    internal IEnumerable<string> Names => _tensors.Keys;

    /// <summary>Adds an F32 tensor.</summary>
    /// <param name="name">The tensor name; must be unique, must not be <c>__metadata__</c>, and must be well-formed UTF-16.</param>
    /// <param name="data">The elements in row-major order; copied.</param>
    /// <param name="shape">The dimensions, outermost first; none for a scalar. Their product must equal <paramref name="data"/>'s length.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is reserved, malformed or already used, a dimension is negative,
    /// or the shape does not match the data length.</exception>
    public void Add(string name, ReadOnlySpan<float> data, params ReadOnlySpan<long> shape)
        => Add(name, SafeTensorsDType.F32, data, shape);

    /// <summary>Adds a tensor stored as <paramref name="dtype"/>: F32, F16, BF16 (rounded to nearest even) or F64.</summary>
    /// <param name="name">The tensor name; must be unique, must not be <c>__metadata__</c>, and must be well-formed UTF-16.</param>
    /// <param name="data">The elements in row-major order; converted and copied.</param>
    /// <param name="dtype">How the elements are stored.</param>
    /// <param name="shape">The dimensions, outermost first; none for a scalar. Their product must equal <paramref name="data"/>'s length.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name is reserved, malformed or already used, a dimension is negative,
    /// the shape does not match the data length, or <paramref name="dtype"/> is not a floating-point type this writer stores.</exception>
    public void Add(string name, SafeTensorsDType dtype, ReadOnlySpan<float> data, params ReadOnlySpan<long> shape)
    {
        if (dtype is not (SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.F64))
        {
            throw new ArgumentException($"The writer stores F32, F16, BF16 or F64 tensors, not {dtype}.", nameof(dtype));
        }

        ArgumentNullException.ThrowIfNull(name);
        if (name == MetadataKey)
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(name));
        }

        EnsureWellFormed(name, nameof(name));
        if (_tensors.ContainsKey(name))
        {
            throw new ArgumentException($"A tensor named '{name}' has already been added.", nameof(name));
        }

        // Saturating just past int.MaxValue is enough, since no span is longer, and keeps the product from overflowing.
        const long Saturated = (long)int.MaxValue + 1;
        long product = 1;
        foreach (long dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"Tensor '{name}' has negative dimension {dimension}.", nameof(shape));
            }

            product = dimension != 0 && product > Saturated / dimension ? Saturated : product * dimension;
        }

        if (product != data.Length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape [{string.Join(", ", shape.ToArray())}] but {data.Length} elements.",
                nameof(shape));
        }

        _tensors.Add(name, (shape.ToArray(), dtype, Encode(data, dtype)));
    }

    /// <summary>Adds a tensor of any dtype from its little-endian bytes, taken over without copying; for readers of other formats.</summary>
    internal void AddRaw(string name, SafeTensorsDType dtype, byte[] bytes, long[] shape)
    {
        if (name == MetadataKey || _tensors.ContainsKey(name))
        {
            throw new ArgumentException($"Tensor name '{name}' is reserved or already used.", nameof(name));
        }

        EnsureWellFormed(name, nameof(name));
        _tensors.Add(name, (shape, dtype, bytes));
    }

    /// <summary>The elements as little-endian bytes of <paramref name="dtype"/>.</summary>
    private static byte[] Encode(ReadOnlySpan<float> data, SafeTensorsDType dtype)
    {
        int size = dtype.GetElementSize();
        byte[] bytes = new byte[(long)data.Length * size];
        for (int i = 0; i < data.Length; i++)
        {
            Span<byte> element = bytes.AsSpan(i * size, size);
            switch (dtype)
            {
                case SafeTensorsDType.F16:
                    BinaryPrimitives.WriteHalfLittleEndian(element, (Half)data[i]);
                    break;
                case SafeTensorsDType.BF16:
                    BinaryPrimitives.WriteUInt16LittleEndian(element, ToBFloat16(data[i]));
                    break;
                case SafeTensorsDType.F64:
                    BinaryPrimitives.WriteDoubleLittleEndian(element, data[i]);
                    break;
                default:
                    BinaryPrimitives.WriteSingleLittleEndian(element, data[i]);
                    break;
            }
        }

        return bytes;
    }

    /// <summary>The upper half of the float's bits, rounded to nearest even; NaN stays a quiet NaN.</summary>
    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>Adds a metadata entry, written to the header's <c>__metadata__</c> object.</summary>
    /// <param name="key">The key; must be unique and well-formed UTF-16.</param>
    /// <param name="value">The value; must be well-formed UTF-16.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="value"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The key is already used, or the key or value contains an unpaired surrogate.</exception>
    public void AddMetadata(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        EnsureWellFormed(key, nameof(key));
        EnsureWellFormed(value, nameof(value));
        if (!_metadata.TryAdd(key, value))
        {
            throw new ArgumentException($"Metadata key '{key}' has already been added.", nameof(key));
        }
    }

    /// <summary>Serializes the tensors and metadata added so far.</summary>
    /// <returns>The complete file.</returns>
    /// <exception cref="InvalidOperationException">The file would exceed the size of a single array, or the header would exceed
    /// <see cref="SafeTensorsFile.MaxHeaderLength"/>.</exception>
    public byte[] ToArray()
    {
        byte[] header = BuildHeader(out long dataLength);
        long total = LengthPrefix + header.Length + dataLength;
        if (total > Array.MaxLength)
        {
            throw new InvalidOperationException($"The file would be {total} bytes, more than a single array can hold; use Save instead.");
        }

        byte[] result = new byte[total];
        using var stream = new MemoryStream(result);
        WriteTo(stream, header);
        return result;
    }

    /// <summary>Writes the tensors and metadata added so far to a file, replacing it if it exists.</summary>
    /// <param name="path">The destination file.</param>
    /// <remarks>
    /// The file is written under a temporary name in the same directory and then moved over <paramref name="path"/>,
    /// so a failure part-way never leaves a truncated file where a reader would find it.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, invalid or names a root directory.</exception>
    /// <exception cref="InvalidOperationException">The header would exceed <see cref="SafeTensorsFile.MaxHeaderLength"/>.</exception>
    /// <exception cref="IOException">A file-system failure.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        string fileName = Path.GetFileName(fullPath);
        if (directory is null || fileName.Length == 0)
        {
            throw new ArgumentException($"'{path}' does not name a file.", nameof(path));
        }

        byte[] header = BuildHeader(out _);

        // Same directory so the final move is a rename on one volume rather than a copy that could itself be interrupted.
        string temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                WriteTo(stream, header);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private byte[] BuildHeader(out long dataLength)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions
        {
            // Names are written as UTF-8 rather than \u escapes; the header is never embedded in HTML, which is all the default encoder guards against.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
        };

        long offset = 0;
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> entry in _metadata)
                {
                    json.WriteString(entry.Key, entry.Value);
                }

                json.WriteEndObject();
            }

            foreach (KeyValuePair<string, (long[] Shape, SafeTensorsDType DType, byte[] Bytes)> tensor in _tensors)
            {
                long length = tensor.Value.Bytes.Length;
                json.WriteStartObject(tensor.Key);
                json.WriteString("dtype", tensor.Value.DType.GetHeaderName());
                json.WriteStartArray("shape");
                foreach (long dimension in tensor.Value.Shape)
                {
                    json.WriteNumberValue(dimension);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += length;
            }

            json.WriteEndObject();
        }

        // Padding to a multiple of 8 puts the data section on an 8-byte boundary, so readers can map it as any dtype.
        int padded = (buffer.WrittenCount + 7) & ~7;
        if (padded > SafeTensorsFile.MaxHeaderLength)
        {
            throw new InvalidOperationException($"The header would be {padded} bytes, more than the {SafeTensorsFile.MaxHeaderLength} readers accept.");
        }

        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        dataLength = offset;
        return header;
    }

    private void WriteTo(Stream stream, byte[] header)
    {
        Span<byte> prefix = stackalloc byte[LengthPrefix];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);

        foreach ((long[] _, SafeTensorsDType _, byte[] bytes) in _tensors.Values)
        {
            stream.Write(bytes);
        }
    }

    private static void EnsureWellFormed(string text, string paramName)
    {
        // An unpaired surrogate has no UTF-8 encoding; the JSON writer would substitute U+FFFD and the file would name something else.
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException($"The string contains an unpaired surrogate at index {i}.", paramName);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
