using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks.Models;

// The benchmarked LSTM (PyTorch nn.LSTM / LSTMCell) models: one per (input, hidden) of ModelCatalog.Sizes.

[RecurrentModel(1)]
[Lstm(16)]
public partial class Lstm_1_16;

[RecurrentModel(8)]
[Lstm(32)]
public partial class Lstm_8_32;

[RecurrentModel(1)]
[Lstm(32)]
public partial class Lstm_1_32;

[RecurrentModel(1)]
[Lstm(64)]
public partial class Lstm_1_64;

[RecurrentModel(16)]
[Lstm(64)]
public partial class Lstm_16_64;

[RecurrentModel(32)]
[Lstm(128)]
public partial class Lstm_32_128;

[RecurrentModel(64)]
[Lstm(256)]
public partial class Lstm_64_256;

// An LSTM with projection (PyTorch's nn.LSTM(32, 128, proj_size=64)), measured by ProjectionBenchmarks.
[RecurrentModel(32)]
[Lstm(128, ProjectionSize = 64)]
public partial class Lstm_32_128_Proj64;

/// <summary>Creates a Lstm kernel of a declared size.</summary>
internal static class LstmModels
{
    public static FixedKernel Create(int input, int hidden, int seed) => (input, hidden) switch
    {
        (1, 16) => new FixedKernel<Lstm_1_16, Lstm_1_16.State, Lstm_1_16.Trace>(CellKind.Lstm, seed),
        (8, 32) => new FixedKernel<Lstm_8_32, Lstm_8_32.State, Lstm_8_32.Trace>(CellKind.Lstm, seed),
        (1, 32) => new FixedKernel<Lstm_1_32, Lstm_1_32.State, Lstm_1_32.Trace>(CellKind.Lstm, seed),
        (1, 64) => new FixedKernel<Lstm_1_64, Lstm_1_64.State, Lstm_1_64.Trace>(CellKind.Lstm, seed),
        (16, 64) => new FixedKernel<Lstm_16_64, Lstm_16_64.State, Lstm_16_64.Trace>(CellKind.Lstm, seed),
        (32, 128) => new FixedKernel<Lstm_32_128, Lstm_32_128.State, Lstm_32_128.Trace>(CellKind.Lstm, seed),
        (64, 256) => new FixedKernel<Lstm_64_256, Lstm_64_256.State, Lstm_64_256.Trace>(CellKind.Lstm, seed),
        _ => throw new System.ArgumentException($"No Lstm model {input} -> {hidden} is declared; see ModelCatalog.Sizes."),
    };
}
