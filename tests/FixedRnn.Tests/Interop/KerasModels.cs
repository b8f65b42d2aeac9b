using FixedRnn;
using FixedRnn.Interop;
using FixedRnn.Training;

namespace FixedRnn.Tests.Interop;

// One model per Keras fixture (Fixtures/keras/make_keras_fixtures.mjs builds the same architectures).

[RecurrentModel(inputSize: 3)]
[Lstm(16)]
[Dense(1)]
public partial class KerasLstm;

[RecurrentModel(inputSize: 4)]
[Gru(12)]
public partial class KerasGruAfter;

[RecurrentModel(inputSize: 3)]
[Gru(7, ResetAfter = false)]
[Dense(4, Activation = DenseActivation.Relu)]
public partial class KerasGruBefore;

[RecurrentModel(inputSize: 5)]
[Rnn(9)]
public partial class KerasSimpleRnn;

[RecurrentModel(inputSize: 4)]
[Lstm(20)]
[Lstm(12)]
[Gru(9, ResetAfter = false)]
[Dense(3, Activation = DenseActivation.Tanh)]
public partial class KerasStack;

[RecurrentModel(inputSize: 6)]
[Gru(10)]
[Rnn(8)]
[Dense(2, Activation = DenseActivation.Sigmoid)]
public partial class Keras3Stack;

[RecurrentModel(inputSize: 3)]
[Lstm(6)]
[Gru(5)]
[Dense(2)]
public partial class KerasNoBias;

/// <summary>The layers of the Keras fixture models, as <see cref="KerasWeights.ToPyTorch(SafeTensorsFile, System.ReadOnlySpan{LayerDescription}, System.ReadOnlySpan{string}, KerasOptions?)"/> takes them.</summary>
internal static class KerasModelLayers
{
    public static LayerDescription[] Lstm => [new(LayerKind.Lstm, 3, 16), new(LayerKind.Dense, 16, 1)];

    public static LayerDescription[] GruAfter => [new(LayerKind.Gru, 4, 12, ResetAfter: true)];

    public static LayerDescription[] GruBefore => [new(LayerKind.Gru, 3, 7, ResetAfter: false), new(LayerKind.Dense, 7, 4)];

    public static LayerDescription[] SimpleRnn => [new(LayerKind.Rnn, 5, 9)];

    public static LayerDescription[] Stack =>
    [
        new(LayerKind.Lstm, 4, 20),
        new(LayerKind.Lstm, 20, 12),
        new(LayerKind.Gru, 12, 9, ResetAfter: false),
        new(LayerKind.Dense, 9, 3),
    ];

    public static LayerDescription[] Keras3Stack => [new(LayerKind.Gru, 6, 10), new(LayerKind.Rnn, 10, 8), new(LayerKind.Dense, 8, 2)];

    public static LayerDescription[] NoBias => [new(LayerKind.Lstm, 3, 6), new(LayerKind.Gru, 6, 5), new(LayerKind.Dense, 5, 2)];
}

[RecurrentModel(inputSize: 3)]
[Lstm(8, Bidirectional = true)]
[Dense(2)]
public partial class KerasBidirectionalConcat;

[RecurrentModel(inputSize: 3)]
[Lstm(8, Bidirectional = true, Merge = BidirectionalMerge.Sum)]
[Dense(2)]
public partial class KerasBidirectionalSum;

[RecurrentModel(inputSize: 3)]
[Lstm(8, Bidirectional = true, Merge = BidirectionalMerge.Average)]
[Dense(2)]
public partial class KerasBidirectionalAverage;

[RecurrentModel(inputSize: 3)]
[Lstm(8, Bidirectional = true, Merge = BidirectionalMerge.Multiply)]
[Dense(2)]
public partial class KerasBidirectionalMultiply;
