using System;
using System.Runtime.Intrinsics;
using FixedRnn.Numerics;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// The scalar fallback sums a block in the Vector128 path's order, which is what keeps the two paths' gradients
/// bit-identical (.ci/paths-identical.sh checks that across every test model).
/// </summary>
public sealed class FloatBlockSumTests
{
    [Fact]
    public void ScalarSumIsBitIdenticalToVector128Sum()
    {
        // Where Vector128 is not accelerated (the scalar CI run) its Sum is a software loop with an order of its own,
        // and no kernel uses FloatBlock128 there.
        if (!Vector128.IsHardwareAccelerated)
        {
            return;
        }

        var random = new Random(20261202);
        float[] lanes = new float[8];
        for (int trial = 0; trial < 10_000; trial++)
        {
            for (int lane = 0; lane < lanes.Length; lane++)
            {
                // Magnitudes spread over six decades so that every addition order rounds differently.
                lanes[lane] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)));
            }

            float scalar = FloatBlockScalar.Sum(FloatBlockScalar.Load(ref lanes[0], 0));
            float vector = FloatBlock128.Sum(FloatBlock128.Load(ref lanes[0], 0));
            Assert.Equal(BitConverter.SingleToInt32Bits(vector), BitConverter.SingleToInt32Bits(scalar));
        }
    }
}
