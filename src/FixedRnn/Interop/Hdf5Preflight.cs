using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace FixedRnn.Interop;

/// <summary>
/// Checks, before PureHDF reads an HDF5 file, the sizes that PureHDF would otherwise allocate before reading:
/// it sizes a buffer from a heap's recorded length and only then finds that the file is shorter, so a corrupt
/// 20 KB file could make it allocate gigabytes (measured by the fuzz test in KerasFileTests).
/// </summary>
/// <remarks>
/// Checked: the superblock is version 0 or 1 and declares 8-byte offsets and lengths (what h5py writes for Keras);
/// the object headers reachable from the root group are version 1 and each message, attribute and fill value fits
/// where it is stored; every global heap
/// collection (signature <c>GCOL</c>) and every object in it, and every local heap (<c>HEAP</c>), lies inside the
/// file. The scan looks at every occurrence of the signatures, wherever a corrupt address could point, so it is
/// linear in the file's length.
/// </remarks>
internal static class Hdf5Preflight
{
    private static readonly byte[] GlobalHeap = "GCOL"u8.ToArray();
    private static readonly byte[] LocalHeap = "HEAP"u8.ToArray();

    /// <summary>Checks <paramref name="file"/> and returns where each dataset's values lie, by path from the root.</summary>
    public static Dictionary<string, Hdf5DatasetLocation> Check(ReadOnlySpan<byte> file)
    {
        if (file.Length < 96)
        {
            throw new WeightFormatException($"it is {file.Length} bytes long, too short for an HDF5 superblock");
        }

        byte version = file[8];
        if (version > 1)
        {
            throw new WeightFormatException($"its HDF5 superblock has version {version}; the files h5py writes for Keras by default have version 0, which is what is read");
        }

        if (file[13] != 8 || file[14] != 8)
        {
            throw new WeightFormatException(
                $"its HDF5 superblock declares {file[13]}-byte addresses and {file[14]}-byte lengths; the files Keras writes use 8 and 8");
        }

        for (int at = file.IndexOf(GlobalHeap); at >= 0; at = Next(file, GlobalHeap, at))
        {
            CheckGlobalHeap(file, at);
        }

        for (int at = file.IndexOf(LocalHeap); at >= 0; at = Next(file, LocalHeap, at))
        {
            // HEAP, version, 3 reserved, data segment size (8), free list offset (8), data segment address (8).
            if (at + 32 <= file.Length)
            {
                ulong size = BinaryPrimitives.ReadUInt64LittleEndian(file.Slice(at + 8));
                ulong address = BinaryPrimitives.ReadUInt64LittleEndian(file.Slice(at + 24));
                if (size > (ulong)file.Length || (address != ulong.MaxValue && address > (ulong)file.Length - size))
                {
                    throw new WeightFormatException($"its local heap at byte {at} claims {size} bytes at address {address}, past the end of the {file.Length}-byte file");
                }
            }
        }

        return CheckObjects(file, version);
    }

    /// <summary>
    /// Walks the object headers reachable from the root group (symbol tables, their B-trees and symbol nodes),
    /// checking that every message fits its header and that the data an attribute or fill value declares fits its
    /// message: PureHDF allocates those sizes before reading. Only version-1 object headers are accepted, the kind
    /// h5py writes by default and every Keras file we have seen uses.
    /// </summary>
    private static Dictionary<string, Hdf5DatasetLocation> CheckObjects(ReadOnlySpan<byte> file, byte version)
    {
        ulong root = BinaryPrimitives.ReadUInt64LittleEndian(Slice(file, (version == 0 ? 64 : 68), 8, "the superblock"));
        var pending = new Stack<(ulong Address, string Path)>();
        var visited = new HashSet<ulong>();
        var datasets = new Dictionary<string, Hdf5DatasetLocation>(StringComparer.Ordinal);
        pending.Push((root, string.Empty));
        int budget = KerasFile.MaxDatasets * 4;
        while (pending.Count > 0)
        {
            (ulong address, string path) = pending.Pop();
            if (!visited.Add(address))
            {
                continue;
            }

            if (--budget < 0)
            {
                throw new WeightFormatException($"it has more than {KerasFile.MaxDatasets * 4} objects");
            }

            Hdf5DatasetLocation? dataset = CheckObjectHeader(file, address, path, pending, ref budget);
            if (dataset is not null)
            {
                datasets[path] = dataset;
            }
        }

        return datasets;
    }

    private static Hdf5DatasetLocation? CheckObjectHeader(ReadOnlySpan<byte> file, ulong address, string path, Stack<(ulong Address, string Path)> pending, ref int budget)
    {
        ulong[]? dims = null;
        (int Class, int Size, bool BigEndian)? datatype = null;
        (ulong Offset, ulong Length)? values = null;
        ReadOnlySpan<byte> prefix = Slice(file, address, 16, "an object header");
        if (prefix[0] != 1)
        {
            throw new WeightFormatException($"its object header at byte {address} has version {prefix[0]}; Keras files use version 1");
        }

        int messages = BinaryPrimitives.ReadUInt16LittleEndian(prefix.Slice(2));
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(prefix.Slice(8));
        var blocks = new Queue<(ulong Start, ulong Length)>();
        blocks.Enqueue((address + 16, size));
        int seen = 0;
        while (blocks.Count > 0 && seen < messages)
        {
            (ulong start, ulong length) = blocks.Dequeue();
            ReadOnlySpan<byte> block = Slice(file, start, length, "an object header block");
            int position = 0;
            while (position + 8 <= block.Length && seen < messages)
            {
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(position));
                ushort messageSize = BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(position + 2));
                byte flags = block[position + 4];
                if (position + 8 + messageSize > block.Length)
                {
                    throw new WeightFormatException($"its object header at byte {address} has a message of {messageSize} bytes past the end of its block");
                }

                ReadOnlySpan<byte> data = block.Slice(position + 8, messageSize);
                bool shared = (flags & 0x02) != 0;
                switch (type)
                {
                    case 0x10 when messageSize >= 16: // continuation
                        if (--budget < 0)
                        {
                            throw new WeightFormatException("its object headers continue too many times");
                        }

                        blocks.Enqueue((BinaryPrimitives.ReadUInt64LittleEndian(data), BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(8))));
                        break;
                    case 0x11 when messageSize >= 16: // symbol table: B-tree and local heap
                        WalkGroupTree(file, BinaryPrimitives.ReadUInt64LittleEndian(data), LocalHeapData(file, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(8))), path, pending, 0, ref budget);
                        break;
                    case 0x01 when !shared: // dataspace
                        dims = Dimensions(data, address);
                        break;
                    case 0x03 when !shared && messageSize >= 8: // datatype: class and flags, size
                        datatype = (data[0] & 0x0F, (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4)), (data[0] & 0x0F) == 1 && (data[1] & 0x01) != 0);
                        break;
                    case 0x0C when !shared:
                        CheckAttribute(data, address);
                        break;
                    case 0x05 when !shared:
                        CheckFillValue(data, address);
                        break;
                    case 0x08:
                        CheckLayout(data, address, (ulong)file.Length);
                        values = DataRange(data, address, start + (ulong)position + 8);
                        break;
                    case 0x04 when !shared:
                        if (data.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(data) > (uint)(data.Length - 4))
                        {
                            throw new WeightFormatException($"its object header at byte {address} has a fill value larger than its message");
                        }

                        break;
                }

                position += 8 + messageSize;
                seen++;
            }
        }

        return values is { } range && dims is not null && datatype is { } t
            ? new Hdf5DatasetLocation(dims, t.Class, t.Size, t.BigEndian, range.Offset, range.Length)
            : null;
    }

    /// <summary>Where a data layout message (version 3) puts the values: after the message (compact) or at an address (contiguous).</summary>
    private static (ulong Offset, ulong Length)? DataRange(ReadOnlySpan<byte> data, ulong header, ulong messageStart)
    {
        if (data[0] != 3)
        {
            return null;
        }

        return data[1] switch
        {
            0 => (messageStart + 4, BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2))),
            1 => (BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(2)), BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(10))),
            _ => throw new WeightFormatException($"its dataset at object header {header} is chunked (compressed or resizable); Keras writes contiguous datasets, which are what is read"),
        };
    }

    private static ulong[] Dimensions(ReadOnlySpan<byte> space, ulong header)
    {
        if (space.Length < 2)
        {
            throw new WeightFormatException($"its object header at byte {header} has a truncated dataspace");
        }

        int rank = space[1];
        int dimsAt = space[0] == 1 ? 8 : 4;
        if (space.Length < dimsAt + (rank * 8))
        {
            throw new WeightFormatException($"its object header at byte {header} has a truncated dataspace");
        }

        var dims = new ulong[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadUInt64LittleEndian(space.Slice(dimsAt + (d * 8)));
        }

        return dims;
    }

    /// <summary>A local heap's data segment (HEAP, version, 3 reserved, size, free list offset, address).</summary>
    private static (ulong Address, ulong Length) LocalHeapData(ReadOnlySpan<byte> file, ulong heap)
    {
        ReadOnlySpan<byte> header = Slice(file, heap, 32, "a local heap");
        if (!header.StartsWith("HEAP"u8))
        {
            throw new WeightFormatException($"its local heap at byte {heap} has no HEAP signature");
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(8));
        ulong address = BinaryPrimitives.ReadUInt64LittleEndian(header.Slice(24));
        _ = Slice(file, address, length, "a local heap's data");
        return (address, length);
    }

    private static string LinkName(ReadOnlySpan<byte> file, (ulong Address, ulong Length) heap, ulong offset)
    {
        if (offset >= heap.Length)
        {
            throw new WeightFormatException($"a link name at offset {offset} lies outside its {heap.Length}-byte local heap");
        }

        ReadOnlySpan<byte> rest = file.Slice((int)(heap.Address + offset), (int)(heap.Length - offset));
        int end = rest.IndexOf((byte)0);
        if (end <= 0)
        {
            throw new WeightFormatException($"a link name at offset {offset} of its local heap is empty or unterminated");
        }

        return Encoding.UTF8.GetString(rest[..end]);
    }

    private static void WalkGroupTree(ReadOnlySpan<byte> file, ulong address, (ulong Address, ulong Length) heap, string path, Stack<(ulong Address, string Path)> pending, int depth, ref int budget)
    {
        if (depth > 32 || --budget < 0)
        {
            throw new WeightFormatException($"its group B-tree at byte {address} is too deep or too large");
        }

        ReadOnlySpan<byte> header = Slice(file, address, 24, "a group B-tree node");
        if (!header.StartsWith("TREE"u8) || header[4] != 0)
        {
            throw new WeightFormatException($"its group B-tree node at byte {address} has no TREE signature of a group tree");
        }

        byte level = header[5];
        int entries = BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(6));
        ReadOnlySpan<byte> body = Slice(file, address + 24, (ulong)(((entries * 2) + 1) * 8), "a group B-tree node");
        for (int i = 0; i < entries; i++)
        {
            ulong child = BinaryPrimitives.ReadUInt64LittleEndian(body.Slice(8 + (i * 16)));
            if (level > 0)
            {
                WalkGroupTree(file, child, heap, path, pending, depth + 1, ref budget);
                continue;
            }

            ReadOnlySpan<byte> node = Slice(file, child, 8, "a symbol table node");
            if (!node.StartsWith("SNOD"u8))
            {
                throw new WeightFormatException($"its symbol table node at byte {child} has no SNOD signature");
            }

            int symbols = BinaryPrimitives.ReadUInt16LittleEndian(node.Slice(6));
            ReadOnlySpan<byte> symbolEntries = Slice(file, child + 8, (ulong)(symbols * 40), "a symbol table node");
            for (int s = 0; s < symbols; s++)
            {
                ReadOnlySpan<byte> entry = symbolEntries.Slice(s * 40, 40);
                string name = LinkName(file, heap, BinaryPrimitives.ReadUInt64LittleEndian(entry));
                pending.Push((BinaryPrimitives.ReadUInt64LittleEndian(entry.Slice(8)), path.Length == 0 ? name : $"{path}/{name}"));
            }
        }
    }

    /// <summary>Attribute message versions 1 to 3: name, datatype and dataspace sizes, then the data, which must fit.</summary>
    private static void CheckAttribute(ReadOnlySpan<byte> data, ulong header)
    {
        if (data.Length < 8)
        {
            throw new WeightFormatException($"its object header at byte {header} has a truncated attribute message");
        }

        byte version = data[0];
        int nameSize = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2));
        int typeSize = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(4));
        int spaceSize = BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(6));
        static int Pad(int n, int version) => version == 1 ? (n + 7) & ~7 : n;
        int offset = version == 3 ? 9 : 8;
        int typeAt = offset + Pad(nameSize, version);
        int spaceAt = typeAt + Pad(typeSize, version);
        int dataAt = spaceAt + Pad(spaceSize, version);
        if (version is < 1 or > 3 || dataAt > data.Length || typeSize < 8 || spaceSize < 2)
        {
            throw new WeightFormatException($"its object header at byte {header} has a malformed attribute message");
        }

        ulong elementSize = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(typeAt + 4));
        ulong elements = DataspaceElements(data.Slice(spaceAt, spaceSize), header);
        ulong needed = elements == 0 ? 0 : elementSize > (ulong)data.Length / elements ? ulong.MaxValue : elements * elementSize;
        if (needed > (ulong)(data.Length - dataAt))
        {
            throw new WeightFormatException(
                $"its attribute message at object header {header} declares {elements} values of {elementSize} bytes, more than the {data.Length - dataAt} bytes it holds");
        }
    }

    private static ulong DataspaceElements(ReadOnlySpan<byte> space, ulong header)
    {
        byte version = space[0];
        int rank = space[1];
        int dimsAt = version == 1 ? 8 : 4;
        if (version == 2 && space.Length >= 4 && space[3] == 2)
        {
            return 0; // a null dataspace
        }

        if (space.Length < dimsAt + (rank * 8))
        {
            throw new WeightFormatException($"its object header at byte {header} has a truncated dataspace");
        }

        ulong count = 1;
        for (int d = 0; d < rank; d++)
        {
            ulong dimension = BinaryPrimitives.ReadUInt64LittleEndian(space.Slice(dimsAt + (d * 8)));
            count = dimension == 0 ? 0 : count > ulong.MaxValue / dimension ? ulong.MaxValue : count * dimension;
        }

        return count;
    }

    /// <summary>Data layout message versions 1 to 3: compact data must fit the message, contiguous data the file.</summary>
    private static void CheckLayout(ReadOnlySpan<byte> data, ulong header, ulong fileLength)
    {
        if (data.Length < 2)
        {
            throw new WeightFormatException($"its object header at byte {header} has a truncated data layout message");
        }

        byte version = data[0];
        if (version is 1 or 2)
        {
            // version, dimensionality, class, 5 reserved, [address], dimensionality × 4-byte sizes, [compact size, data]
            int rank = data[1];
            byte layoutClass = data.Length > 2 ? data[2] : (byte)255;
            int at = 8 + (layoutClass == 0 ? 0 : 8) + (rank * 4);
            if (layoutClass > 2 || data.Length < at || (layoutClass == 0 && (data.Length < at + 4 || BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(at)) > (uint)(data.Length - at - 4))))
            {
                throw new WeightFormatException($"its object header at byte {header} has a data layout (version {version}) whose sizes exceed its message");
            }

            return;
        }

        if (version != 3)
        {
            throw new WeightFormatException($"its object header at byte {header} has a data layout message of version {version}");
        }

        switch (data[1])
        {
            case 0 when data.Length < 4 || BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2)) > data.Length - 4:
                throw new WeightFormatException($"its object header at byte {header} has compact data larger than its message");
            case 1 when data.Length < 18 || BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(10)) > fileLength:
                throw new WeightFormatException($"its object header at byte {header} has contiguous data larger than the file");
            case > 2:
                throw new WeightFormatException($"its object header at byte {header} has data layout class {data[1]}");
        }
    }

    /// <summary>Fill value message versions 1 to 3: the declared size of the value must fit the message.</summary>
    private static void CheckFillValue(ReadOnlySpan<byte> data, ulong header)
    {
        if (data.Length < 1)
        {
            return;
        }

        int sizeAt = data[0] switch
        {
            1 => 4,
            2 => data.Length >= 4 && data[3] != 0 ? 4 : -1,
            3 => data.Length >= 2 && (data[1] & 0x20) != 0 ? 2 : -1,
            _ => throw new WeightFormatException($"its object header at byte {header} has a fill value message of version {data[0]}"),
        };
        if (sizeAt < 0)
        {
            return;
        }

        if (data.Length < sizeAt + 4 || BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(sizeAt)) > (uint)(data.Length - sizeAt - 4))
        {
            throw new WeightFormatException($"its object header at byte {header} has a fill value larger than its message");
        }
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> file, ulong start, ulong length, string what)
        => start <= (ulong)file.Length && length <= (ulong)file.Length - start
            ? file.Slice((int)start, (int)length)
            : throw new WeightFormatException($"{what} at byte {start} ({length} bytes) lies past the end of the {file.Length}-byte file");

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> file, int start, int length, string what) => Slice(file, (ulong)start, (ulong)length, what);

    /// <summary>GCOL, version, 3 reserved, collection size (8); then objects: index (2), references (2), 4 reserved, size (8), data padded to 8.</summary>
    private static void CheckGlobalHeap(ReadOnlySpan<byte> file, int at)
    {
        if (at + 16 > file.Length)
        {
            throw new WeightFormatException($"its global heap collection at byte {at} is cut off by the end of the file");
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(file.Slice(at + 8));
        if (size < 16 || size > (ulong)(file.Length - at))
        {
            throw new WeightFormatException($"its global heap collection at byte {at} claims {size} bytes, past the end of the {file.Length}-byte file");
        }

        long end = at + (long)size;
        long position = at + 16;
        while (position + 16 <= end)
        {
            ushort index = BinaryPrimitives.ReadUInt16LittleEndian(file.Slice((int)position));
            ulong objectSize = BinaryPrimitives.ReadUInt64LittleEndian(file.Slice((int)position + 8));
            if (objectSize > (ulong)(end - position - 16))
            {
                if (index == 0)
                {
                    break; // The free-space object may describe the rest of the collection loosely.
                }

                throw new WeightFormatException($"its global heap object {index} at byte {position} claims {objectSize} bytes, past the end of its collection");
            }

            if (index == 0)
            {
                break;
            }

            position += 16 + (long)((objectSize + 7) & ~7UL);
        }
    }

    private static int Next(ReadOnlySpan<byte> file, byte[] signature, int at)
    {
        int next = file.Slice(at + 1).IndexOf(signature);
        return next < 0 ? -1 : at + 1 + next;
    }
}

/// <summary>Where a contiguous or compact dataset's values lie in the file, and how they are typed.</summary>
/// <param name="Dimensions">The dataspace's dimensions.</param>
/// <param name="TypeClass">The HDF5 datatype class (1 is floating point).</param>
/// <param name="TypeSize">Bytes per value.</param>
/// <param name="BigEndian">Whether the values are big-endian.</param>
/// <param name="Offset">The first byte of the values.</param>
/// <param name="Length">The bytes the layout says the values take.</param>
internal sealed record Hdf5DatasetLocation(ulong[] Dimensions, int TypeClass, int TypeSize, bool BigEndian, ulong Offset, ulong Length);
