using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks.Models;

// The benchmarked GRU, reset-after (PyTorch nn.GRU / GRUCell, the default) models: one per (input, hidden) of ModelCatalog.Sizes.

[RecurrentModel(1)]
[Gru(16)]
public partial class Gru_1_16;

[RecurrentModel(8)]
[Gru(32)]
public partial class Gru_8_32;

[RecurrentModel(1)]
[Gru(32)]
public partial class Gru_1_32;

[RecurrentModel(1)]
[Gru(64)]
public partial class Gru_1_64;

[RecurrentModel(16)]
[Gru(64)]
public partial class Gru_16_64;

[RecurrentModel(32)]
[Gru(128)]
public partial class Gru_32_128;

[RecurrentModel(64)]
[Gru(256)]
public partial class Gru_64_256;

/// <summary>Creates a Gru kernel of a declared size.</summary>
internal static class GruModels
{
    public static FixedKernel Create(int input, int hidden, int seed) => (input, hidden) switch
    {
        (1, 16) => new FixedKernel<Gru_1_16, Gru_1_16.State, Gru_1_16.Trace>(CellKind.Gru, seed),
        (8, 32) => new FixedKernel<Gru_8_32, Gru_8_32.State, Gru_8_32.Trace>(CellKind.Gru, seed),
        (1, 32) => new FixedKernel<Gru_1_32, Gru_1_32.State, Gru_1_32.Trace>(CellKind.Gru, seed),
        (1, 64) => new FixedKernel<Gru_1_64, Gru_1_64.State, Gru_1_64.Trace>(CellKind.Gru, seed),
        (16, 64) => new FixedKernel<Gru_16_64, Gru_16_64.State, Gru_16_64.Trace>(CellKind.Gru, seed),
        (32, 128) => new FixedKernel<Gru_32_128, Gru_32_128.State, Gru_32_128.Trace>(CellKind.Gru, seed),
        (64, 256) => new FixedKernel<Gru_64_256, Gru_64_256.State, Gru_64_256.Trace>(CellKind.Gru, seed),
        _ => throw new System.ArgumentException($"No Gru model {input} -> {hidden} is declared; see ModelCatalog.Sizes."),
    };
}
