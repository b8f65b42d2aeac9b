using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;

namespace FixedRnn.Benchmarks;

/// <summary>
/// The machine's limits, measured in the same run as the kernels.
/// <list type="bullet">
/// <item><description><see cref="Fma256Registers"/>: the Vector256 FMA peak, 12 independent accumulator chains
/// (more than the 2 FMA ports × 4-cycle latency = 8 that saturate a Zen 4 or a recent Intel core) of
/// <see cref="Fma.MultiplyAdd(Vector256{float}, Vector256{float}, Vector256{float})"/>, all in registers.</description></item>
/// <item><description><see cref="Fma256WithAlignedLoads"/> and <see cref="Fma256WithLoadsOffset16"/>: the same FMAs
/// each fed by a 32-byte load from a 4 KiB L1-resident array, as the kernels' FMAs are fed by weights, from a
/// 64-byte-aligned address and from one 16 bytes past it (where a <c>float[]</c>'s data may start: then every
/// other 32-byte load straddles two cache lines).</description></item>
/// <item><description><see cref="StreamL2"/> and <see cref="StreamL3"/>: read bandwidth from a 512 KiB
/// (L2-resident) and a 4 MiB (L3-resident) buffer with 32-byte loads, for comparison with the weight
/// bandwidth of the kernels whose weights do not fit in L1.</description></item>
/// </list>
/// </summary>
public class PeakBenchmarks
{
    /// <summary>Loop iterations per invocation of the FMA probes.</summary>
    public const int Iterations = 1 << 14;

    /// <summary>FMAs per loop iteration.</summary>
    public const int Chains = 12;

    /// <summary>FLOPs per invocation of the FMA probes: each 8-lane FMA is 16 FLOPs.</summary>
    public const long FlopsPerInvoke = (long)Iterations * Chains * 8 * 2;

    /// <summary>Bytes read per invocation of <see cref="StreamL2"/>.</summary>
    public const long L2Bytes = 512 * 1024;

    /// <summary>Bytes read per invocation of <see cref="StreamL3"/>.</summary>
    public const long L3Bytes = 4 * 1024 * 1024;

    // 4 KiB of "weights": 128 vectors, reread every 128/12 iterations, always in L1.
    private const int WeightFloats = 128 * 8;

    private unsafe float* _block;
    private unsafe float* _l2;
    private unsafe float* _l3;

    [GlobalSetup]
    public unsafe void Setup()
    {
        if (!Fma.IsSupported)
        {
            throw new PlatformNotSupportedException("The FMA peak probe needs x86 FMA3.");
        }

        // The last window starts at most 992 floats in and reads 96, plus 4 floats of offset.
        _block = Allocate(WeightFloats + 96 + 4);
        _l2 = Allocate(L2Bytes / sizeof(float));
        _l3 = Allocate(L3Bytes / sizeof(float));
    }

    [GlobalCleanup]
    public unsafe void Cleanup()
    {
        NativeMemory.AlignedFree(_block);
        NativeMemory.AlignedFree(_l2);
        NativeMemory.AlignedFree(_l3);
    }

    [Benchmark]
    public float Fma256Registers()
    {
        Vector256<float> x = Vector256.Create(0.999999f);
        Vector256<float> y = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0.10f), a1 = Vector256.Create(0.11f), a2 = Vector256.Create(0.12f), a3 = Vector256.Create(0.13f);
        Vector256<float> a4 = Vector256.Create(0.14f), a5 = Vector256.Create(0.15f), a6 = Vector256.Create(0.16f), a7 = Vector256.Create(0.17f);
        Vector256<float> a8 = Vector256.Create(0.18f), a9 = Vector256.Create(0.19f), a10 = Vector256.Create(0.20f), a11 = Vector256.Create(0.21f);
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y);
            a1 = Fma.MultiplyAdd(a1, x, y);
            a2 = Fma.MultiplyAdd(a2, x, y);
            a3 = Fma.MultiplyAdd(a3, x, y);
            a4 = Fma.MultiplyAdd(a4, x, y);
            a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y);
            a7 = Fma.MultiplyAdd(a7, x, y);
            a8 = Fma.MultiplyAdd(a8, x, y);
            a9 = Fma.MultiplyAdd(a9, x, y);
            a10 = Fma.MultiplyAdd(a10, x, y);
            a11 = Fma.MultiplyAdd(a11, x, y);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [Benchmark]
    public unsafe float Fma256WithAlignedLoads() => FmaWithLoads(ref *_block);

    /// <summary>
    /// The same FLOPs as <see cref="Fma256WithAlignedLoads"/> in half the instructions: 6 chains of 16-lane
    /// FMAs, each fed by a 64-byte aligned load. Where Vector512 is not accelerated this reports the
    /// Vector256 probe's work through the software fallback, so it is only meaningful on AVX-512 hardware.
    /// </summary>
    [Benchmark]
    public unsafe float Fma512WithAlignedLoads() => Fma512WithLoads(ref *_block);

    [Benchmark]
    public unsafe float Fma256WithLoadsOffset16() => FmaWithLoads(ref *(_block + 4));

    [Benchmark]
    public unsafe float StreamL2() => Stream(_l2, L2Bytes / sizeof(float));

    [Benchmark]
    public unsafe float StreamL3() => Stream(_l3, L3Bytes / sizeof(float));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float FmaWithLoads(ref float weights)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        Vector256<float> a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        nuint offset = 0;
        for (int i = 0; i < Iterations; i++)
        {
            // As the kernels do: one broadcast feature, each FMA with its own 32-byte weight load.
            Vector256<float> feature = Vector256.Create(Unsafe.Add(ref weights, (int)(offset & 7)));
            a0 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 0), a0);
            a1 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 8), a1);
            a2 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 16), a2);
            a3 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 24), a3);
            a4 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 32), a4);
            a5 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 40), a5);
            a6 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 48), a6);
            a7 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 56), a7);
            a8 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 64), a8);
            a9 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 72), a9);
            a10 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 80), a10);
            a11 = Fma.MultiplyAdd(feature, Vector256.LoadUnsafe(ref weights, offset + 88), a11);
            offset = (offset + 96) & (WeightFloats - 1);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Fma512WithLoads(ref float weights)
    {
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        nuint offset = 0;
        for (int i = 0; i < Iterations; i++)
        {
            Vector512<float> feature = Vector512.Create(Unsafe.Add(ref weights, (int)(offset & 7)));
            a0 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 0), a0);
            a1 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 16), a1);
            a2 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 32), a2);
            a3 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 48), a3);
            a4 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 64), a4);
            a5 = Vector512.FusedMultiplyAdd(feature, Vector512.LoadUnsafe(ref weights, offset + 80), a5);
            offset = (offset + 96) & (WeightFloats - 1);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5);
    }

    private static unsafe float Stream(float* data, long floats)
    {
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < floats; i += 64)
        {
            a0 += Vector256.Load(data + i);
            a1 += Vector256.Load(data + i + 8);
            a2 += Vector256.Load(data + i + 16);
            a3 += Vector256.Load(data + i + 24);
            a4 += Vector256.Load(data + i + 32);
            a5 += Vector256.Load(data + i + 40);
            a6 += Vector256.Load(data + i + 48);
            a7 += Vector256.Load(data + i + 56);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }

    private static unsafe float* Allocate(long floats)
    {
        var data = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        new Span<float>(data, checked((int)floats)).Fill(1e-3f);
        return data;
    }
}
