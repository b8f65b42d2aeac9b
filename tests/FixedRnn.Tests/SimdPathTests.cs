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
        KernelPath expected =
            Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") == "0" ? KernelPath.Scalar
            : Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0" ? KernelPath.Vector128
            : Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0" ? KernelPath.Vector256
            : System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? KernelPath.Vector256WithVector512Activations
            : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? KernelPath.Vector256
            : System.Runtime.Intrinsics.X86.Sse2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? KernelPath.Vector128
            : KernelPath.Scalar;

        Assert.Equal(expected, KernelInfo.Path);

        // Wide tiles exactly where the 32 registers of AVX-512's EVEX encoding are there for the Vector256 kernels.
        bool wide = expected >= KernelPath.Vector256 && Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") != "0" && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported;
        Assert.Equal(wide, KernelInfo.WideTiles);
    }
}
