using System.Runtime.Intrinsics;
using FixedRnn.Numerics;

namespace FixedRnn;

/// <summary>
/// What the generated kernels run on in this process. Every model takes the same path: the kernels choose it from
/// checks that the JIT (or, under NativeAOT, the instruction set the binary was compiled for) fixes to constants.
/// </summary>
public static class KernelInfo
{
    /// <summary>The SIMD path.</summary>
    public static KernelPath Path
        => Vector256.IsHardwareAccelerated ? (Vector512.IsHardwareAccelerated ? KernelPath.Vector256WithVector512Activations : KernelPath.Vector256)
         : Vector128.IsHardwareAccelerated ? KernelPath.Vector128
         : KernelPath.Scalar;

    /// <summary>Whether small LSTM and GRU layers run as one wide register tile (32 vector registers: AVX-512's EVEX encoding).</summary>
    public static bool WideTiles => Path >= KernelPath.Vector256 && FloatBlock256.WideTiles;

    /// <summary>The path in words, for logs: <c>Vector256 with Vector512 activations, wide tiles</c>.</summary>
    /// <returns>The description.</returns>
    public static string Describe()
    {
        string path = Path switch
        {
            KernelPath.Vector256WithVector512Activations => "Vector256 with Vector512 activations",
            KernelPath.Vector256 => "Vector256",
            KernelPath.Vector128 => "Vector128",
            _ => "scalar",
        };
        return WideTiles ? path + ", wide tiles" : path;
    }
}
