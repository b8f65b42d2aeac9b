using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace FixedRnn.Interop;

/// <summary>
/// Reads the files PyTorch users save, choosing the format from the content: a <c>torch.save</c> archive
/// (<c>.pt</c>, <c>.pth</c>: the zip format PyTorch has written since 1.6) or a safetensors file. Used by the
/// generated <c>LoadPyTorch(path)</c>.
/// </summary>
/// <remarks>
/// <para>
/// A <c>torch.save</c> archive holds <c>{name}/data.pkl</c>, a pickle of the saved object, and one entry
/// <c>{name}/data/{key}</c> per storage. The pickle is interpreted by a restricted unpickler that can only build
/// tensors, parameters and (ordered) dicts of them, the same rule as <c>torch.load(weights_only=True)</c>: it never
/// looks up or runs Python code, and any other global or opcode is an error naming it. The result is the tensors
/// of the saved dict in order, named by their keys; nested dicts (checkpoints such as
/// <c>{"encoder": sd1, "head": sd2, "epoch": 7}</c>) are flattened with dots (<c>encoder.weight_ih_l0</c>), and
/// values that are not tensors (numbers, strings, None) are left out. Float, double, half and bfloat16 tensors
/// keep their dtype (the loaders convert them to float), integer and bool tensors are kept as such.
/// </para>
/// <para>
/// Rejected by name: the legacy format of <c>torch.save</c> before PyTorch 1.6 (a bare pickle, or the tar of
/// PyTorch before 0.4), TorchScript archives (<c>torch.jit.save</c>), big-endian archives, pickles of whole
/// modules (<c>torch.save(model)</c>), and anything that is neither format (HDF5 is recognized and pointed to
/// the Keras loader).
/// </para>
/// <para>
/// Bounds: only regular files (see <see cref="SafeTensorsFile.Read(string)"/>); at most
/// <see cref="MaxArchiveEntries"/> zip entries; entries decompress to at most the archive's length plus 1 MiB in
/// total (torch.save stores them uncompressed); the tensors built from the storages total at most twice the file's
/// length (views may share storage). Memory is therefore bounded by a small multiple of the file's length.
/// </para>
/// </remarks>
public static class PyTorchFile
{
    /// <summary>The most zip entries an archive may have.</summary>
    public const int MaxArchiveEntries = 100_000;

    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] Hdf5Magic = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];

    // pickle PROTO 2, LONG1 of 10 bytes: torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, the legacy format's first object.
    private static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19];

    /// <summary>Reads a <c>torch.save</c> archive or a safetensors file, whichever <paramref name="path"/> holds.</summary>
    /// <param name="path">The <c>.pt</c>, <c>.pth</c>, <c>.bin</c> or <c>.safetensors</c> file.</param>
    /// <returns>The tensors, as an in-memory safetensors file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="WeightFormatException">The file is neither format, is in a format rejected by name, or is malformed;
    /// the message names <paramref name="path"/>.</exception>
    /// <exception cref="IOException">A file-system failure.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be opened for reading.</exception>
    public static SafeTensorsFile Read(string path)
    {
        byte[] bytes = WeightFileReader.ReadAll(path, "PyTorch", Array.MaxLength);
        return Parse(bytes, path);
    }

    /// <summary>Parses a <c>torch.save</c> archive or a safetensors file held in memory.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <returns>The tensors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="bytes"/> is <see langword="null"/>.</exception>
    /// <exception cref="WeightFormatException">The bytes are neither format, or malformed.</exception>
    public static SafeTensorsFile Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(bytes, "the file");
    }

    private static SafeTensorsFile Parse(byte[] bytes, string path)
    {
        string quoted = path == "the file" ? path : $"'{path}'";
        ReadOnlySpan<byte> span = bytes;
        if (span.StartsWith(ZipMagic))
        {
            try
            {
                return ReadArchive(bytes);
            }
            catch (WeightFormatException ex)
            {
                throw new WeightFormatException($"{quoted} (a torch.save archive): {ex.Message}", ex.TensorName, ex);
            }
        }

        if (span.StartsWith(LegacyMagic) || (span.Length > 262 && span.Slice(257, 5).SequenceEqual("ustar"u8)))
        {
            throw new WeightFormatException(
                $"{quoted} is a PyTorch file in the legacy format torch.save wrote before PyTorch 1.6, which FixedRnn does not read. "
                + "Load it in PyTorch and save it again: torch.save(torch.load(path), \"model.pt\") writes the zip format, "
                + "or save it as safetensors.");
        }

        if (span.StartsWith(Hdf5Magic))
        {
            throw new WeightFormatException($"{quoted} is an HDF5 file, not a PyTorch file: Keras .h5 and .weights.h5 files load with LoadKeras.");
        }

        string? notSafeTensors = SafeTensorsFile.DescribeIfNotSafeTensors(span);
        if (notSafeTensors is not null)
        {
            string pickle = span.Length >= 2 && span[0] == 0x80 ? " It starts like a Python pickle, as torch.save wrote before PyTorch 1.6 (the legacy format, not read)." : string.Empty;
            throw new WeightFormatException(
                $"{quoted} is neither a torch.save zip archive (it does not start with 'PK\\x03\\x04') nor a safetensors file ({notSafeTensors}){pickle}");
        }

        return path == "the file" ? SafeTensorsFile.Parse(bytes) : SafeTensorsFile.ParseFile(bytes, path);
    }

    private static SafeTensorsFile ReadArchive(byte[] bytes)
    {
        Dictionary<string, byte[]> entries = ReadEntries(bytes);
        string[] pickles = entries.Keys.Where(name => name.EndsWith("/data.pkl", StringComparison.Ordinal) && name.IndexOf('/') == name.Length - "/data.pkl".Length).ToArray();
        if (pickles.Length != 1)
        {
            throw new WeightFormatException(pickles.Length == 0
                ? "it has no '{name}/data.pkl' entry, so it is not a torch.save archive"
                : $"it has {pickles.Length} top-level data.pkl entries");
        }

        string prefix = pickles[0][..^"data.pkl".Length];
        if (entries.ContainsKey(prefix + "constants.pkl") || entries.Keys.Any(name => name.StartsWith(prefix + "code/", StringComparison.Ordinal)))
        {
            throw new WeightFormatException(
                "it is a TorchScript archive (torch.jit.save), whose data.pkl holds a scripted module, not a state_dict. Save model.state_dict() with torch.save instead.");
        }

        if (entries.TryGetValue(prefix + "byteorder", out byte[]? order) && !order.AsSpan().SequenceEqual("little"u8))
        {
            throw new WeightFormatException($"its byteorder entry says '{Encoding.ASCII.GetString(order.AsSpan(0, Math.Min(order.Length, 16)))}'; only little-endian archives are read.");
        }

        object root = RestrictedUnpickler.Load(entries[prefix + "data.pkl"]);
        if (root is not RestrictedUnpickler.PickleDict dict)
        {
            throw new WeightFormatException(
                $"its data.pkl holds {RestrictedUnpickler.Describe(root)}, not a dict of tensors; save model.state_dict().");
        }

        var writer = new SafeTensorsWriter();
        writer.AddMetadata("format", "pt");
        writer.AddMetadata("converted_from", "torch.save");
        long budget = 2L * bytes.Length;
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Flatten(dict, string.Empty, 0, entries, prefix, writer, ref budget, seen);
        return SafeTensorsFile.Parse(writer.ToArray());
    }

    private static Dictionary<string, byte[]> ReadEntries(byte[] bytes)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxArchiveEntries)
            {
                throw new WeightFormatException($"it has {archive.Entries.Count} zip entries; at most {MaxArchiveEntries} are read");
            }

            var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            long remaining = bytes.Length + (1L << 20);
            foreach (ZipArchiveEntry entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                {
                    continue;
                }

                if (entry.Length > remaining || entry.Length > Array.MaxLength)
                {
                    throw new WeightFormatException(
                        $"its entry '{entry.FullName}' claims {entry.Length} bytes, more than the archive could hold uncompressed");
                }

                var content = new byte[entry.Length];
                using (Stream stream = entry.Open())
                {
                    stream.ReadExactly(content);
                    if (stream.ReadByte() >= 0)
                    {
                        throw new WeightFormatException($"its entry '{entry.FullName}' holds more bytes than its header claims");
                    }
                }

                remaining -= content.Length;
                if (!entries.TryAdd(entry.FullName, content))
                {
                    throw new WeightFormatException($"it has two entries named '{entry.FullName}'");
                }
            }

            return entries;
        }
        catch (InvalidDataException ex)
        {
            throw new WeightFormatException($"it is not a well-formed zip archive: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new WeightFormatException($"a zip entry ends early: {ex.Message}", ex);
        }
    }

    private static void Flatten(
        object value, string name, int depth, Dictionary<string, byte[]> entries, string prefix, SafeTensorsWriter writer, ref long budget, HashSet<object> seen)
    {
        if (depth > RestrictedUnpickler.MaxDepth)
        {
            throw new WeightFormatException($"its dicts nest more than {RestrictedUnpickler.MaxDepth} deep at '{name}'");
        }

        string Child(string key) => name.Length == 0 ? key : $"{name}.{key}";
        switch (value)
        {
            case RestrictedUnpickler.PickleDict dict:
                if (!seen.Add(dict))
                {
                    throw new WeightFormatException($"'{name}' is a dict that contains itself");
                }

                foreach ((string key, object item) in dict.Items)
                {
                    Flatten(item, Child(key), depth + 1, entries, prefix, writer, ref budget, seen);
                }

                seen.Remove(dict);
                break;
            case RestrictedUnpickler.PickleList list:
                if (!seen.Add(list))
                {
                    throw new WeightFormatException($"'{name}' is a list that contains itself");
                }

                for (int i = 0; i < list.Items.Count; i++)
                {
                    Flatten(list.Items[i], Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1, entries, prefix, writer, ref budget, seen);
                }

                seen.Remove(list);
                break;
            case RestrictedUnpickler.PickleTuple tuple:
                for (int i = 0; i < tuple.Items.Length; i++)
                {
                    Flatten(tuple.Items[i], Child(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), depth + 1, entries, prefix, writer, ref budget, seen);
                }

                break;
            case RestrictedUnpickler.TorchTensor tensor:
                AddTensor(name, tensor, entries, prefix, writer, ref budget);
                break;
            default:
                break; // Numbers, strings, None: checkpoint metadata, not weights.
        }
    }

    private static void AddTensor(string name, RestrictedUnpickler.TorchTensor tensor, Dictionary<string, byte[]> entries, string prefix, SafeTensorsWriter writer, ref long budget)
    {
        (SafeTensorsDType dtype, int size) = tensor.Storage.Type switch
        {
            "FloatStorage" => (SafeTensorsDType.F32, 4),
            "DoubleStorage" => (SafeTensorsDType.F64, 8),
            "HalfStorage" => (SafeTensorsDType.F16, 2),
            "BFloat16Storage" => (SafeTensorsDType.BF16, 2),
            "LongStorage" => (SafeTensorsDType.I64, 8),
            "IntStorage" => (SafeTensorsDType.I32, 4),
            "ShortStorage" => (SafeTensorsDType.I16, 2),
            "CharStorage" => (SafeTensorsDType.I8, 1),
            "ByteStorage" => (SafeTensorsDType.U8, 1),
            _ => (SafeTensorsDType.Bool, 1),
        };

        if (!entries.TryGetValue($"{prefix}data/{tensor.Storage.Key}", out byte[]? data))
        {
            throw new WeightFormatException($"tensor '{name}' refers to storage '{tensor.Storage.Key}', which the archive does not hold", name);
        }

        if (tensor.Storage.Count > data.Length / size || data.Length != tensor.Storage.Count * size)
        {
            throw new WeightFormatException(
                $"tensor '{name}': storage '{tensor.Storage.Key}' has {data.Length} bytes ({data.Length / size} elements of {size} bytes), but the pickle says {tensor.Storage.Count} elements", name);
        }

        if (tensor.Size.Length != tensor.Stride.Length)
        {
            throw new WeightFormatException($"tensor '{name}' has {tensor.Size.Length} dimensions but {tensor.Stride.Length} strides", name);
        }

        // The elements the view reaches must lie inside the storage, and the copy inside the budget.
        long count = 1;
        long last = tensor.Offset;
        try
        {
            for (int d = 0; d < tensor.Size.Length; d++)
            {
                count = checked(count * tensor.Size[d]);
                if (tensor.Size[d] > 0)
                {
                    last = checked(last + ((tensor.Size[d] - 1) * tensor.Stride[d]));
                }
            }

            budget -= checked(count * size);
        }
        catch (OverflowException)
        {
            throw new WeightFormatException($"tensor '{name}' has a size or stride that overflows 64 bits", name);
        }

        if (budget < 0)
        {
            throw new WeightFormatException($"tensor '{name}' brings the tensors to more than twice the file's length (views of shared storage)", name);
        }

        if (count > 0 && (tensor.Offset < 0 || last >= tensor.Storage.Count))
        {
            throw new WeightFormatException(
                $"tensor '{name}' (offset {tensor.Offset}, size [{string.Join(", ", tensor.Size)}], stride [{string.Join(", ", tensor.Stride)}]) reaches past the {tensor.Storage.Count} elements of its storage", name);
        }

        var bytes = new byte[count * size];
        CopyStrided(data, tensor, size, bytes);
        try
        {
            writer.AddRaw(name, dtype, bytes, tensor.Size);
        }
        catch (ArgumentException ex)
        {
            throw new WeightFormatException($"the saved dict names two tensors '{name}' (a key with a dot and a nested dict, or an invalid name)", name, ex);
        }
    }

    /// <summary>Copies a strided view into row-major order, element by element (rows at a time when contiguous).</summary>
    private static void CopyStrided(byte[] data, RestrictedUnpickler.TorchTensor tensor, int size, byte[] destination)
    {
        int rank = tensor.Size.Length;
        long count = destination.Length / size;
        if (count == 0)
        {
            return;
        }

        bool contiguous = true;
        long expected = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            contiguous &= tensor.Size[d] == 1 || tensor.Stride[d] == expected;
            expected *= tensor.Size[d];
        }

        if (contiguous)
        {
            data.AsSpan((int)(tensor.Offset * size), destination.Length).CopyTo(destination);
            return;
        }

        var index = new long[rank];
        for (long i = 0; i < count; i++)
        {
            long source = tensor.Offset;
            for (int d = 0; d < rank; d++)
            {
                source += index[d] * tensor.Stride[d];
            }

            data.AsSpan((int)(source * size), size).CopyTo(destination.AsSpan((int)(i * size), size));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < tensor.Size[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

    }
}
