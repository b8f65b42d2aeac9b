namespace FixedRnn.Tests.Training;

// The lecture example's three Keras models: input_shape=(10, 1), 50 units, then Dense(1).
// Keras' GRU is reset_after=True (its default since TF 2), FixedRnn's [Gru] default.

[RecurrentModel(inputSize: 1)]
[Rnn(50)]
[Dense(1)]
public partial class KerasExampleRnn;

[RecurrentModel(inputSize: 1)]
[Lstm(50)]
[Dense(1)]
public partial class KerasExampleLstm;

[RecurrentModel(inputSize: 1)]
[Gru(50)]
[Dense(1)]
public partial class KerasExampleGru;
