using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FixedRnn.Numerics;
using Xunit;

namespace FixedRnn.Tests;

public sealed class AlignedFloatsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(1072)] // OddSizeLstm.ParameterCount
    [InlineData(328_705)] // one more than an LSTM 64 → 256 has: large, and not a whole number of cache lines
    public void StartsOnACacheLineWithTheRequestedZeroedLength(int length)
    {
        // Several allocations: a plain float[] lands on a 64-byte boundary only by chance.
        for (int attempt = 0; attempt < 16; attempt++)
        {
            var buffer = new AlignedFloats(length);

            Assert.Equal(length, buffer.Length);
            Assert.Equal(length, buffer.Span.Length);
            Assert.True(buffer.Span.IndexOfAnyExcept(0f) < 0);
            Assert.Equal(0, (long)AddressOf(ref buffer.Start) % AlignedFloats.Alignment);
            if (length > 0)
            {
                Assert.True(Unsafe.AreSame(ref buffer.Start, ref MemoryMarshal.GetReference(buffer.Span)));
            }
        }
    }

    [Fact]
    public void StaysPutAcrossCollections()
    {
        var buffer = new AlignedFloats(4096);
        nuint before = AddressOf(ref buffer.Start);
        for (int i = 0; i < 3; i++)
        {
            _ = new byte[1 << 20];
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        Assert.Equal(before, AddressOf(ref buffer.Start));
    }

    [Fact]
    public void GeneratedModelParametersAreAligned()
    {
        for (int attempt = 0; attempt < 16; attempt++)
        {
            var model = new Lstm8To32();
            Assert.Equal(0, (long)AddressOf(ref MemoryMarshal.GetReference(model.Parameters)) % AlignedFloats.Alignment);
        }
    }

    [Fact]
    public void RejectsANegativeLength() => Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(-1));

    private static nuint AddressOf(ref float value) => (nuint)Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref value);
}
