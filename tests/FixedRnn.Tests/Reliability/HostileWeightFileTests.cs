using System;
using System.IO;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// Truncated and corrupted weight files: loading either succeeds or throws
/// <see cref="WeightFormatException"/>, and a load that gets past parsing and then fails leaves the model
/// exactly as it was.
/// </summary>
public sealed class HostileWeightFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fixedrnn-hostile-").FullName;

    [Fact]
    public void EveryTruncationIsRejected()
    {
        byte[] original = File.ReadAllBytes(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var model = Loaded();

        // A truncated file fails while it is read, before the model is touched.
        for (int length = 0; length < original.Length; length += Math.Max(1, length / 16))
        {
            string path = Write(original.AsSpan(0, length));
            Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(path));
        }
    }

    [Fact]
    public void CorruptedFilesLoadOrFailCleanly()
    {
        byte[] original = File.ReadAllBytes(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var random = new Random(77);
        int rejectedByLoad = 0;
        for (int trial = 0; trial < 500; trial++)
        {
            byte[] corrupted = (byte[])original.Clone();
            int flips = 1 + random.Next(4);
            for (int flip = 0; flip < flips; flip++)
            {
                // Mostly in the header, where structure lives; data bytes only change values.
                int position = random.Next(2) == 0 ? random.Next(Math.Min(corrupted.Length, 2048)) : random.Next(corrupted.Length);
                corrupted[position] = (byte)random.Next(256);
            }

            SafeTensorsFile file;
            try
            {
                file = SafeTensorsFile.Parse(corrupted);
            }
            catch (WeightFormatException)
            {
                continue;
            }

            // The file is well formed; whatever is wrong with it now (a name, a shape) is the loader's to find.
            var model = Loaded();
            float[] before = model.Parameters.ToArray();
            try
            {
                model.LoadPyTorch(file);
            }
            catch (WeightFormatException)
            {
                rejectedByLoad++;
                Assert.Equal(before, model.Parameters.ToArray());
            }
        }

        Assert.True(rejectedByLoad > 0, "No corruption got past parsing and was rejected by the loader; the atomicity check never ran.");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static MixedStack Loaded()
    {
        var model = new MixedStack();
        model.LoadPyTorch(Fixture.PathOf("stack_mixed.weights.safetensors"));
        return model;
    }

    private string Write(ReadOnlySpan<byte> bytes)
    {
        string path = Path.Combine(_directory, $"truncated-{bytes.Length}.safetensors");
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}
