using FixedRnn;

namespace FixedRnn.Tests;

// One model per committed PyTorch fixture (Fixtures/make_fixtures.py builds the same architectures).

[RecurrentModel(inputSize: 8)]
[Lstm(32)]
public partial class Lstm8To32;

[RecurrentModel(inputSize: 3)]
[Lstm(13)]
public partial class LstmCell3To13;

[RecurrentModel(inputSize: 5)]
[Gru(37)]
public partial class Gru5To37;

[RecurrentModel(inputSize: 1)]
[Gru(1)]
public partial class GruCell1To1;

[RecurrentModel(inputSize: 4)]
[Rnn(50)]
public partial class RnnTanh4To50;

[RecurrentModel(inputSize: 4)]
[Rnn(3, Activation = RnnActivation.Relu)]
public partial class RnnReluCell4To3;

[RecurrentModel(inputSize: 6)]
[Gru(24)]
[Gru(16)]
[Dense(2)]
public partial class StackedGruDense;

[RecurrentModel(inputSize: 3)]
[Lstm(20)]
[Gru(13)]
[Rnn(9)]
[Dense(3, Activation = DenseActivation.Sigmoid)]
public partial class MixedStack;

[RecurrentModel(inputSize: 2)]
[Rnn(12, Activation = RnnActivation.Relu)]
[Dense(5, Activation = DenseActivation.Relu)]
public partial class ReluDenseHead;

[RecurrentModel(inputSize: 1)]
[Lstm(128)]
public partial class Lstm1To128;

[RecurrentModel(inputSize: 16)]
[Gru(256)]
public partial class Gru16To256;

[RecurrentModel(inputSize: 4)]
[Lstm(24)]
[Lstm(24)]
[Dense(1)]
public partial class TwoLayerLstmWithHead;

[RecurrentModel(inputSize: 5)]
[Gru(37, ResetAfter = false)]
public partial class ResetBeforeGru5To37;

[RecurrentModel(inputSize: 8)]
[Gru(130, ResetAfter = false)]
public partial class ResetBeforeGru8To130;

[RecurrentModel(inputSize: 3)]
[Gru(11, ResetAfter = false)]
[Dense(2)]
public partial class ResetBeforeGruDense;

[RecurrentModel(inputSize: 3)]
[Lstm(10)]
[Gru(7)]
[Dense(2)]
public partial class NoBiasStack;

[RecurrentModel(inputSize: 8)]
[Lstm(40, Peepholes = true)]
public partial class PeepholeLstm8To40;

[RecurrentModel(inputSize: 3)]
[Lstm(13, Peepholes = true)]
[Lstm(7, Peepholes = true)]
[Dense(2)]
public partial class PeepholeLstmStackDense;

[RecurrentModel(inputSize: 8)]
[Lstm(40, ProjectionSize = 12)]
public partial class ProjectedLstm8To40;

[RecurrentModel(inputSize: 3)]
[Lstm(20, ProjectionSize = 9)]
[Lstm(13, ProjectionSize = 5)]
[Dense(2)]
public partial class ProjectedLstmStackDense;

// What the projected fixtures must not load into: another projection, none, and a projection of a plain file.
[RecurrentModel(inputSize: 8)]
[Lstm(40, ProjectionSize = 10)]
public partial class Projected8To40By10;

[RecurrentModel(inputSize: 8)]
[Lstm(40)]
public partial class Plain8To40;

[RecurrentModel(inputSize: 8)]
[Lstm(32, ProjectionSize = 16)]
public partial class Projected8To32By16;

[RecurrentModel(inputSize: 8)]
[Lstm(32, Bidirectional = true)]
public partial class BidirectionalLstm8To32;

[RecurrentModel(inputSize: 5)]
[Gru(12, Bidirectional = true)]
[Gru(9, Bidirectional = true)]
[Dense(3)]
public partial class BidirectionalGruStackDense;

[RecurrentModel(inputSize: 4)]
[Rnn(20, Bidirectional = true)]
public partial class BidirectionalRnn4To20;

[RecurrentModel(inputSize: 4)]
[Lstm(16, ProjectionSize = 6, Bidirectional = true)]
public partial class BidirectionalProjectedLstm4To16;
