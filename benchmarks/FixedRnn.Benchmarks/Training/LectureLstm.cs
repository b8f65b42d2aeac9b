namespace FixedRnn.Benchmarks.Training;

/// <summary>The lecture's Keras model: <c>Sequential([LSTM(50, input_shape=(10, 1)), Dense(1)])</c>.</summary>
[RecurrentModel(inputSize: 1)]
[Lstm(hiddenSize: 50)]
[Dense(outputSize: 1)]
public sealed partial class LectureLstm;
