// The three networks the demo compares. Each is declared once, here, and the FixedRnn generator turns
// the attributes into a specialized kernel at compile time; everything else in the demo is generic
// over ITrainableModel, so a fourth architecture is one more declaration and one more line in
// ModelCatalog.
namespace FixedRnn.Demo;

/// <summary>One feature in (today's standardized log return), 32 LSTM units, tomorrow's return out.</summary>
[RecurrentModel(inputSize: 1)]
[Lstm(hiddenSize: 32)]
[Dense(outputSize: 1)]
public sealed partial class LstmForecaster;

/// <summary>The same task with a reset-after GRU (PyTorch's and Keras' default).</summary>
[RecurrentModel(inputSize: 1)]
[Gru(hiddenSize: 32)]
[Dense(outputSize: 1)]
public sealed partial class GruForecaster;

/// <summary>The same task with an Elman tanh RNN: the cheapest cell, and the baseline among the networks.</summary>
[RecurrentModel(inputSize: 1)]
[Rnn(hiddenSize: 32)]
[Dense(outputSize: 1)]
public sealed partial class RnnForecaster;

/// <summary>
/// The lecture's Keras model for the <c>keras</c> command: <c>Sequential([LSTM(50, input_shape=(10, 1)), Dense(1)])</c>,
/// read as windows of 10 daily returns, predicting the next.
/// </summary>
[RecurrentModel(inputSize: 1)]
[Lstm(hiddenSize: 50)]
[Dense(outputSize: 1)]
public sealed partial class KerasLstmForecaster;
