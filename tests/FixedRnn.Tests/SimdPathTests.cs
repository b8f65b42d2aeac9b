using System;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// CI runs the suite four times: natively, with <c>DOTNET_EnableAVX512=0</c>, with <c>DOTNET_EnableAVX2=0</c>
/// and with <c>DOTNET_EnableHWIntrinsic=0</c>. This proves each run exercised the path it was meant to.
/// </summary>
public sealed class SimdPathTests
{
    [Fact]
    public void RuntimeSettingsSelectTheExpectedPath()
    {
        string expected =
            Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0" ? "scalar"
            : Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0" ? "Vector128"
            : Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0" ? "Vector256"
            : System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector256 with Vector512 activations"
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "Vector256"
            : System.Runtime.Intrinsics.X86.Sse2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "Vector128"
            : "scalar";

        Assert.Equal(expected, SimdPath.Describe());
    }
}
