using System;
using FixedRnn.Interop;

namespace FixedRnn.Tests;

// Small models for the finite-difference, training-allocation and export tests.

[RecurrentModel(inputSize: 3)]
[Gru(5, ResetAfter = false)]
[Dense(2, Activation = DenseActivation.Tanh)]
public partial class SmallResetBeforeGru;

[RecurrentModel(inputSize: 3)]
[Lstm(9, Peepholes = true)]
[Lstm(5, Peepholes = true)]
[Dense(2)]
public partial class SmallPeepholeLstmStack;

// h narrower than c, each a partial block; the second layer reads the first's 4-unit h.
[RecurrentModel(inputSize: 3)]
[Lstm(9, ProjectionSize = 4)]
[Lstm(6, ProjectionSize = 3)]
[Dense(2)]
public partial class SmallProjectedLstmStack;

// Every kind once, small odd sizes (each layer one partial 8-lane block).
[RecurrentModel(inputSize: 3)]
[Rnn(5, Activation = RnnActivation.Relu)]
[Gru(3, ResetAfter = false)]
[Gru(7)]
[Lstm(5)]
[Dense(3, Activation = DenseActivation.Sigmoid)]
public partial class SmallEveryKindStack;

// Bidirectional layers of every kind and merge mode, both GRU forms and a peephole LSTM among them.
[RecurrentModel(inputSize: 3)]
[Gru(5, ResetAfter = false, Bidirectional = true, Merge = BidirectionalMerge.Multiply)]
[Lstm(6, Peepholes = true, Bidirectional = true)]
[Gru(4, Bidirectional = true, Merge = BidirectionalMerge.Sum)]
[Rnn(3, Bidirectional = true, Merge = BidirectionalMerge.Average)]
[Dense(2, Activation = DenseActivation.Tanh)]
public partial class SmallBidirectionalStack;

// Several 8-lane blocks per layer, for the training-step allocation test.
[RecurrentModel(inputSize: 4)]
[Lstm(19)]
[Dense(3)]
public partial class TrainingLstmDense;

[RecurrentModel(inputSize: 5)]
[Gru(21, ResetAfter = false)]
public partial class TrainingResetBeforeGru;

[RecurrentModel(inputSize: 3)]
[Lstm(19, Peepholes = true)]
[Dense(2)]
public partial class TrainingPeepholeLstmDense;

[RecurrentModel(inputSize: 3)]
[Lstm(19, ProjectionSize = 7)]
[Dense(2)]
public partial class TrainingProjectedLstmDense;

[RecurrentModel(inputSize: 4)]
[Lstm(19, Bidirectional = true)]
[Dense(3)]
public partial class TrainingBidirectionalLstmDense;

/// <summary>
/// Random PyTorch-layout weights for any model: the tensor names and shapes come from the model's own
/// <c>ToPyTorch</c>, the values from a seeded uniform distribution, and they enter the model through
/// <c>LoadPyTorch</c>, so the packed layout's padding stays zero.
/// </summary>
internal static class RandomStateDict
{
    /// <summary>A state_dict with every tensor the model reads filled with U(−<paramref name="bound"/>, <paramref name="bound"/>).</summary>
    public static SafeTensorsFile Create<TModel, TState, TTrace>(Random random, float bound, string[] modules)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var model = new TModel();
        SafeTensorsFile template = SafeTensorsFile.Parse(TModel.ToPyTorch(new float[model.Parameters.Length], modules).ToArray());
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo info in template.Tensors)
        {
            var values = new float[info.ElementCount];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)(((2 * random.NextDouble()) - 1) * bound);
            }

            long[] shape = new long[info.Shape.Count];
            for (int d = 0; d < shape.Length; d++)
            {
                shape[d] = info.Shape[d];
            }

            writer.Add(info.Name, values, shape);
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>Loads random weights (layer k under <c>layers.{k}.</c>) into <paramref name="model"/>.</summary>
    public static void Load<TModel, TState, TTrace>(TModel model, Random random, float bound)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        string[] modules = PyTorchModuleNames.ModuleList(model.LayerCount);
        model.LoadPyTorch(Create<TModel, TState, TTrace>(random, bound, modules), modules);
    }
}
