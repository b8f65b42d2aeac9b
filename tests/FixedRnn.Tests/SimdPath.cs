using System.Runtime.Intrinsics;

namespace FixedRnn.Tests;

/// <summary>Which of the generated kernels' paths this process runs.</summary>
internal static class SimdPath
{
    public static string Describe()
        => Vector256.IsHardwareAccelerated ? (Vector512.IsHardwareAccelerated ? "Vector256 with Vector512 activations" : "Vector256")
         : Vector128.IsHardwareAccelerated ? "Vector128"
         : "scalar";
}
