using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// 100,000 seeded mutations and truncations of valid safetensors files: parsing and reading only ever
/// throw <see cref="WeightFormatException"/>, and never hang.
/// </summary>
public sealed class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 100_000;

    [Fact]
    public void MutatedFilesThrowOnlyTheDocumentedException()
    {
        byte[][] seeds = { SmallFile(), UnalignedFile(), SafeTensorsWriterFile() };
        var random = new Random(20261122);
        int accepted = 0;
        int rejected = 0;
        long slowest = 0;
        for (int trial = 0; trial < Cases; trial++)
        {
            byte[] bytes = Mutate(seeds[trial % seeds.Length], random);
            long started = Stopwatch.GetTimestamp();
            try
            {
                SafeTensorsFile file = SafeTensorsFile.Parse(bytes);
                foreach (SafeTensorInfo info in file.Tensors)
                {
                    if (info.DType.IsConvertibleToSingle())
                    {
                        file.ReadSingles(info.Name);
                    }
                }

                accepted++;
            }
            catch (WeightFormatException)
            {
                rejected++;
            }

            slowest = Math.Max(slowest, Stopwatch.GetElapsedTime(started).Ticks);
        }

        output.WriteLine($"{Cases:N0} cases: {accepted:N0} accepted, {rejected:N0} rejected; slowest {TimeSpan.FromTicks(slowest).TotalMilliseconds:F2} ms.");
        Assert.True(accepted > 0, "No mutation was accepted: the fuzzer never reaches ReadSingles on a parsed file.");
        Assert.True(rejected > Cases / 2, "Too few mutations were rejected: the fuzzer is not reaching the validation.");
        Assert.True(TimeSpan.FromTicks(slowest) < TimeSpan.FromSeconds(1), "A single file took over a second: a possible hang.");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        byte[] bytes = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                // Truncation anywhere, including inside the length prefix.
                return bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
            case 1:
                // A new header length, small, huge or just off.
                ulong length = random.Next(3) switch
                {
                    0 => (ulong)random.Next(64),
                    1 => (ulong)random.NextInt64(),
                    _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes) + (ulong)random.Next(-8, 9),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
                return bytes;
            case 2:
                // Printable characters in the header, where the JSON lives.
                int headerEnd = (int)Math.Min((ulong)bytes.Length, 8 + BinaryPrimitives.ReadUInt64LittleEndian(bytes));
                for (int flip = 0; flip < 1 + random.Next(3); flip++)
                {
                    bytes[8 + random.Next(Math.Max(1, headerEnd - 8))] = (byte)"{}[]\",:0123456789-eE.FIU8_ "[random.Next(27)];
                }

                return bytes;
            case 3:
                // A digit in the header replaced by another, shifting a shape or an offset.
                for (int i = 0; i < 20; i++)
                {
                    int position = 8 + random.Next(bytes.Length - 8);
                    if (bytes[position] is >= (byte)'0' and <= (byte)'9')
                    {
                        bytes[position] = (byte)('0' + random.Next(10));
                        break;
                    }
                }

                return bytes;
            case 4:
                // Random bytes anywhere.
                for (int flip = 0; flip < 1 + random.Next(8); flip++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            default:
                // Bytes appended or removed in the middle, the length prefix left as it was.
                int cut = random.Next(bytes.Length);
                byte[] spliced = new byte[bytes.Length + random.Next(-16, 17)];
                bytes.AsSpan(0, Math.Min(cut, spliced.Length)).CopyTo(spliced);
                return spliced;
        }
    }

    private static byte[] SmallFile()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a.weight", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        writer.Add("a.bias", new float[] { 0.5f, -0.5f }, 2);
        writer.AddMetadata("format", "pt");
        return writer.ToArray();
    }

    private static byte[] SafeTensorsWriterFile()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("scalar", new float[] { 3 });
        writer.Add("empty", ReadOnlySpan<float>.Empty, 0, 4);
        writer.Add("matrix", new float[12], 3, 4);
        return writer.ToArray();
    }

    /// <summary>Unaligned offsets, tensors out of order, and F16/BF16/F64/I32 dtypes, built by hand.</summary>
    private static byte[] UnalignedFile()
    {
        const string Header = "{\"z\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[6,14]},\"m\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[14,18]},\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[18,22]}}";
        byte[] header = Encoding.UTF8.GetBytes(Header);
        byte[] bytes = new byte[8 + header.Length + 22];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        new Random(5).NextBytes(bytes.AsSpan(8 + header.Length));
        return bytes;
    }
}
