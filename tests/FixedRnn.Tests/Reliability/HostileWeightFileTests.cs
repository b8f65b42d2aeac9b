using System;
using System.IO;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// Truncated and corrupted weight files: loading either succeeds or throws
/// <see cref="WeightFormatException"/>, and a failed load leaves the model exactly as it was.
/// </summary>
public sealed class HostileWeightFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fixedrnn-hostile-").FullName;

    [Fact]
    public void EveryTruncationIsRejectedAndLeavesTheModelUnchanged()
    {
        byte[] original = File.ReadAllBytes(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var model = Loaded();
        float[] before = model.Parameters.ToArray();

        for (int length = 0; length < original.Length; length += Math.Max(1, length / 16))
        {
            string path = Write(original.AsSpan(0, length));
            Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(path));
            Assert.Equal(before, model.Parameters.ToArray());
        }
    }

    [Fact]
    public void CorruptedFilesLoadOrFailCleanly()
    {
        byte[] original = File.ReadAllBytes(Fixture.PathOf("stack_mixed.weights.safetensors"));
        var random = new Random(77);
        int rejected = 0;
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

            var model = Loaded();
            float[] before = model.Parameters.ToArray();
            try
            {
                model.LoadPyTorch(SafeTensorsFile.Parse(corrupted));
            }
            catch (WeightFormatException)
            {
                rejected++;
                Assert.Equal(before, model.Parameters.ToArray());
            }
        }

        Assert.True(rejected > 0, "No corruption was detected; the test is not exercising the validation.");
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
