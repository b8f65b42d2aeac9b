using FixedRnn.Benchmarks.Kernels;

namespace FixedRnn.Benchmarks.Models;

// The benchmarked vanilla RNN, tanh (PyTorch nn.RNN / RNNCell) models: one per (input, hidden) of ModelCatalog.Sizes.

[RecurrentModel(1)]
[Rnn(16)]
public partial class Rnn_1_16;

[RecurrentModel(8)]
[Rnn(32)]
public partial class Rnn_8_32;

[RecurrentModel(1)]
[Rnn(32)]
public partial class Rnn_1_32;

[RecurrentModel(1)]
[Rnn(64)]
public partial class Rnn_1_64;

[RecurrentModel(16)]
[Rnn(64)]
public partial class Rnn_16_64;

[RecurrentModel(32)]
[Rnn(128)]
public partial class Rnn_32_128;

[RecurrentModel(64)]
[Rnn(256)]
public partial class Rnn_64_256;

/// <summary>Creates a Rnn kernel of a declared size.</summary>
internal static class RnnModels
{
    public static FixedKernel Create(int input, int hidden, int seed) => (input, hidden) switch
    {
        (1, 16) => new FixedKernel<Rnn_1_16, Rnn_1_16.State, Rnn_1_16.Trace>(CellKind.Rnn, seed),
        (8, 32) => new FixedKernel<Rnn_8_32, Rnn_8_32.State, Rnn_8_32.Trace>(CellKind.Rnn, seed),
        (1, 32) => new FixedKernel<Rnn_1_32, Rnn_1_32.State, Rnn_1_32.Trace>(CellKind.Rnn, seed),
        (1, 64) => new FixedKernel<Rnn_1_64, Rnn_1_64.State, Rnn_1_64.Trace>(CellKind.Rnn, seed),
        (16, 64) => new FixedKernel<Rnn_16_64, Rnn_16_64.State, Rnn_16_64.Trace>(CellKind.Rnn, seed),
        (32, 128) => new FixedKernel<Rnn_32_128, Rnn_32_128.State, Rnn_32_128.Trace>(CellKind.Rnn, seed),
        (64, 256) => new FixedKernel<Rnn_64_256, Rnn_64_256.State, Rnn_64_256.Trace>(CellKind.Rnn, seed),
        _ => throw new System.ArgumentException($"No Rnn model {input} -> {hidden} is declared; see ModelCatalog.Sizes."),
    };
}
