namespace FixedRnn.Fingerprint;

// The benchmark suite's sizes for each kind, plus shapes the test models do not cover (RNN-first stacks,
// a stack whose first layer hoists its input projection).

[RecurrentModel(1)][Lstm(16)] public partial class Lstm_1_16;
[RecurrentModel(8)][Lstm(32)] public partial class Lstm_8_32;
[RecurrentModel(1)][Lstm(64)] public partial class Lstm_1_64;
[RecurrentModel(16)][Lstm(64)] public partial class Lstm_16_64;
[RecurrentModel(32)][Lstm(128)] public partial class Lstm_32_128;
[RecurrentModel(64)][Lstm(256)] public partial class Lstm_64_256;
[RecurrentModel(1)][Gru(16)] public partial class Gru_1_16;
[RecurrentModel(8)][Gru(32)] public partial class Gru_8_32;
[RecurrentModel(32)][Gru(128)] public partial class Gru_32_128;
[RecurrentModel(64)][Gru(256)] public partial class Gru_64_256;
[RecurrentModel(1)][Gru(16, ResetAfter = false)] public partial class GruRb_1_16;
[RecurrentModel(8)][Gru(32, ResetAfter = false)] public partial class GruRb_8_32;
[RecurrentModel(32)][Gru(128, ResetAfter = false)] public partial class GruRb_32_128;
[RecurrentModel(64)][Gru(256, ResetAfter = false)] public partial class GruRb_64_256;
[RecurrentModel(1)][Rnn(16)] public partial class Rnn_1_16;
[RecurrentModel(8)][Rnn(32)] public partial class Rnn_8_32;
[RecurrentModel(32)][Rnn(128)] public partial class Rnn_32_128;
[RecurrentModel(64)][Rnn(256, Activation = RnnActivation.Relu)] public partial class RnnRelu_64_256;
[RecurrentModel(12)][Rnn(20)][Lstm(24)][Dense(3, Activation = DenseActivation.Tanh)] public partial class RnnFirstStack;
[RecurrentModel(24)][Gru(40, ResetAfter = false)][Gru(17)][Dense(1)] public partial class HoistedResetBeforeStack;
[RecurrentModel(9)][Lstm(50)][Dense(1)] public partial class LectureLstm50;
