using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks.Models;

// The benchmarked GRU, reset-before (ResetAfter = false: Cho et al., Keras reset_after=False) models: one per (input, hidden) of ModelCatalog.Sizes.

[RecurrentModel(1)]
[Gru(16, ResetAfter = false)]
public partial class GruRb_1_16;

[RecurrentModel(8)]
[Gru(32, ResetAfter = false)]
public partial class GruRb_8_32;

[RecurrentModel(1)]
[Gru(32, ResetAfter = false)]
public partial class GruRb_1_32;

[RecurrentModel(1)]
[Gru(64, ResetAfter = false)]
public partial class GruRb_1_64;

[RecurrentModel(16)]
[Gru(64, ResetAfter = false)]
public partial class GruRb_16_64;

[RecurrentModel(32)]
[Gru(128, ResetAfter = false)]
public partial class GruRb_32_128;

[RecurrentModel(64)]
[Gru(256, ResetAfter = false)]
public partial class GruRb_64_256;

/// <summary>Creates a GruResetBefore kernel of a declared size.</summary>
internal static class GruResetBeforeModels
{
    public static FixedKernel Create(int input, int hidden, int seed) => (input, hidden) switch
    {
        (1, 16) => new FixedKernel<GruRb_1_16, GruRb_1_16.State, GruRb_1_16.Trace>(CellKind.GruResetBefore, seed),
        (8, 32) => new FixedKernel<GruRb_8_32, GruRb_8_32.State, GruRb_8_32.Trace>(CellKind.GruResetBefore, seed),
        (1, 32) => new FixedKernel<GruRb_1_32, GruRb_1_32.State, GruRb_1_32.Trace>(CellKind.GruResetBefore, seed),
        (1, 64) => new FixedKernel<GruRb_1_64, GruRb_1_64.State, GruRb_1_64.Trace>(CellKind.GruResetBefore, seed),
        (16, 64) => new FixedKernel<GruRb_16_64, GruRb_16_64.State, GruRb_16_64.Trace>(CellKind.GruResetBefore, seed),
        (32, 128) => new FixedKernel<GruRb_32_128, GruRb_32_128.State, GruRb_32_128.Trace>(CellKind.GruResetBefore, seed),
        (64, 256) => new FixedKernel<GruRb_64_256, GruRb_64_256.State, GruRb_64_256.Trace>(CellKind.GruResetBefore, seed),
        _ => throw new System.ArgumentException($"No GruResetBefore model {input} -> {hidden} is declared; see ModelCatalog.Sizes."),
    };
}
