using FixedRnn;

namespace FixedRnn.Tests;

// Models over the whole size range, checked against the double-precision reference.

[RecurrentModel(inputSize: 1)]
[Lstm(1)]
public partial class LstmSize1;

[RecurrentModel(inputSize: 37)]
[Lstm(50)]
[Dense(13)]
public partial class Lstm37To50Dense13;

[RecurrentModel(inputSize: 13)]
[Lstm(1024)]
public partial class Lstm1024;

[RecurrentModel(inputSize: 3)]
[Gru(1024)]
public partial class Gru1024;

[RecurrentModel(inputSize: 50)]
[Gru(1024, ResetAfter = false)]
public partial class ResetBeforeGru1024;

[RecurrentModel(inputSize: 1024)]
[Rnn(1024)]
[Dense(1024)]
public partial class Rnn1024Dense1024;

[RecurrentModel(inputSize: 7)]
[Rnn(9, Activation = RnnActivation.Relu)]
[Gru(3, ResetAfter = false)]
[Gru(5)]
[Lstm(2)]
public partial class EveryKindStacked;

// An LSTM with projection whose 30 units make one wide tile on AVX-512 (and two tiles elsewhere).
[RecurrentModel(inputSize: 4)]
[Lstm(30, ProjectionSize = 11)]
[Dense(3)]
public partial class ProjectedLstmWide;
