using System;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests.Interop;

/// <summary>The writer stores F16, BF16 and F64 as well as F32, and the reader converts them back.</summary>
public sealed class SafeTensorsDTypeWriterTests
{
    private static readonly float[] Values = { 0f, -0f, 1.5f, -2.25f, 0.1f, 3.14159265f, 65504f, 1e-3f, -7.0000005f, 1.00390625f, 1.01171875f };

    [Theory]
    [InlineData(SafeTensorsDType.F32)]
    [InlineData(SafeTensorsDType.F64)]
    public void WideTypesRoundTripExactly(SafeTensorsDType dtype)
    {
        SafeTensorsFile file = RoundTrip(dtype);

        Assert.Equal(dtype, file.GetInfo("t").DType);
        Assert.Equal(Values, file.ReadSingles("t"));
    }

    [Fact]
    public void F16StoresTheNearestHalf()
    {
        SafeTensorsFile file = RoundTrip(SafeTensorsDType.F16);

        Assert.Equal(Array.ConvertAll(Values, value => (float)(Half)value), file.ReadSingles("t"));
    }

    [Fact]
    public void BF16StoresTheNearestBFloat16TiesToEven()
    {
        SafeTensorsFile file = RoundTrip(SafeTensorsDType.BF16);
        float[] stored = file.ReadSingles("t");

        for (int i = 0; i < Values.Length; i++)
        {
            Assert.Equal(NearestBFloat16(Values[i]), stored[i]);
        }
    }

    [Fact]
    public void OtherTypesAreRejected()
        => Assert.Equal("dtype", Assert.Throws<ArgumentException>(() => new SafeTensorsWriter().Add("t", SafeTensorsDType.I32, new float[1], 1)).ParamName);

    [Fact]
    public void ModelsLoadHalfPrecisionExports()
    {
        var original = new Lstm8To32();
        original.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        SafeTensorsFile exported = SafeTensorsFile.Parse(Lstm8To32.ToPyTorch(original.Parameters, "layers.0").ToArray());
        var half = new SafeTensorsWriter();
        foreach (string name in exported.Names)
        {
            long[] shape = new long[exported.GetInfo(name).Shape.Count];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = exported.GetInfo(name).Shape[d];
            }

            half.Add(name, SafeTensorsDType.F16, exported.ReadSingles(name), shape);
        }

        var model = new Lstm8To32();
        model.LoadPyTorch(SafeTensorsFile.Parse(half.ToArray()));

        float[] expected = Array.ConvertAll(original.Parameters.ToArray(), value => (float)(Half)value);
        Assert.Equal(expected, model.Parameters.ToArray());
    }

    private static SafeTensorsFile RoundTrip(SafeTensorsDType dtype)
    {
        var writer = new SafeTensorsWriter();
        writer.Add("t", dtype, Values, Values.Length);
        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>The closer of the two bfloat16 values around <paramref name="value"/>, the even one on a tie.</summary>
    private static float NearestBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        float below = BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
        float above = BitConverter.UInt32BitsToSingle((bits & 0xFFFF0000) + 0x10000);
        double toBelow = Math.Abs((double)value - below);
        double toAbove = Math.Abs((double)above - value);
        if (toBelow != toAbove)
        {
            return toBelow < toAbove ? below : above;
        }

        return ((bits >> 16) & 1) == 0 ? below : above;
    }
}
