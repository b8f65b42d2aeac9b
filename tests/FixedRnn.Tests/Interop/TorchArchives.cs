using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using FixedRnn;

namespace FixedRnn.Tests.Interop;

// The models the torch.save fixtures (Fixtures/pytorch/make_pytorch_files.py) are loaded into.

[RecurrentModel(inputSize: 4)]
[Lstm(24)]
[Lstm(24)]
[Dense(1)]
public partial class NetLstm2Head;

[RecurrentModel(inputSize: 4)]
[Lstm(24)]
[Dense(1)]
public partial class NetLstm1Head;

[RecurrentModel(inputSize: 4)]
[Lstm(32)]
[Lstm(32)]
[Dense(1)]
public partial class NetLstm2Hidden32;

[RecurrentModel(inputSize: 3)]
[Gru(10)]
[Dense(2, Activation = DenseActivation.Sigmoid)]
public partial class CheckpointGru;

/// <summary>Builds torch.save-style zip archives and pickles opcode by opcode, for hostile inputs.</summary>
internal static class TorchArchives
{
    public static string PathOf(string fileName) => Fixture.PathOf(Path.Combine("pytorch", fileName));

    /// <summary>A zip of <c>archive/{name}</c> entries, stored uncompressed as torch.save writes them.</summary>
    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] content) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry("archive/" + name, CompressionLevel.NoCompression);
                using Stream stream = entry.Open();
                stream.Write(content);
            }
        }

        return memory.ToArray();
    }

    /// <summary>A state_dict archive of one float tensor 'w' viewing storage '0' (given floats) with the given geometry.</summary>
    public static byte[] OneTensor(float[] storage, long offset, long[] size, long[] stride, long? numel = null)
    {
        var pickle = new PickleWriter().Proto().EmptyDict().Mark().Unicode("w").Tensor("0", numel ?? storage.Length, offset, size, stride).SetItems().Stop();
        byte[] data = new byte[storage.Length * 4];
        Buffer.BlockCopy(storage, 0, data, 0, data.Length);
        return Zip(("data.pkl", pickle.ToArray()), ("data/0", data));
    }

    /// <summary>Writes pickle opcodes.</summary>
    internal sealed class PickleWriter
    {
        private readonly List<byte> _bytes = [];

        public PickleWriter Proto() => Raw(0x80, 2);

        public PickleWriter EmptyDict() => Raw((byte)'}');

        public PickleWriter EmptyTuple() => Raw((byte)')');

        public PickleWriter Mark() => Raw((byte)'(');

        public PickleWriter Tuple() => Raw((byte)'t');

        public PickleWriter SetItems() => Raw((byte)'u');

        public PickleWriter SetItem() => Raw((byte)'s');

        public PickleWriter Reduce() => Raw((byte)'R');

        public PickleWriter Stop() => Raw((byte)'.');

        public PickleWriter Put(byte index) => Raw((byte)'q', index);

        public PickleWriter Get(byte index) => Raw((byte)'h', index);

        public PickleWriter Int(int value)
        {
            Raw((byte)'J');
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public PickleWriter Long(long value)
        {
            Raw(0x8A, 8);
            _bytes.AddRange(BitConverter.GetBytes(value));
            return this;
        }

        public PickleWriter Unicode(string text)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            Raw((byte)'X');
            _bytes.AddRange(BitConverter.GetBytes(utf8.Length));
            _bytes.AddRange(utf8);
            return this;
        }

        public PickleWriter Global(string module, string name)
        {
            Raw((byte)'c');
            _bytes.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public PickleWriter Ints(long[] values)
        {
            Mark();
            foreach (long value in values)
            {
                Long(value);
            }

            return Tuple();
        }

        /// <summary>_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
        public PickleWriter Tensor(string key, long numel, long offset, long[] size, long[] stride)
        {
            Global("torch._utils", "_rebuild_tensor_v2").Mark();
            Mark().Unicode("storage").Global("torch", "FloatStorage").Unicode(key).Unicode("cpu").Long(numel).Tuple().Raw((byte)'Q');
            Long(offset).Ints(size).Ints(stride).Raw(0x89);
            Global("collections", "OrderedDict").EmptyTuple().Reduce();
            return Tuple().Reduce();
        }

        public PickleWriter Raw(params byte[] bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
