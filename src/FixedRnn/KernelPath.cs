namespace FixedRnn;

/// <summary>Which of the generated kernels' SIMD paths this process runs: <see cref="KernelInfo.Path"/>.</summary>
public enum KernelPath
{
    /// <summary>No hardware vectors: eight floats at a time in scalar code (hardware intrinsics disabled).</summary>
    Scalar = 0,

    /// <summary>128-bit vectors: x64 without AVX2 (or a NativeAOT binary built for baseline x64), and Arm64.</summary>
    Vector128 = 1,

    /// <summary>256-bit vectors with FMA: x64 with AVX2.</summary>
    Vector256 = 2,

    /// <summary>256-bit FMA loops with pairs of blocks activated as one 512-bit vector: x64 where Vector512 is accelerated.</summary>
    Vector256WithVector512Activations = 3,
}
