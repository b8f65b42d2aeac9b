using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Training;

/// <summary>
/// The lecture example end to end: windows of 10 steps predicting the next value, SimpleRNN(50), LSTM(50) and
/// GRU(50) + Dense(1), Adam, MSE, batch 32, 5 epochs, no shuffle, validation_split 0.2, trained by
/// <see cref="BatchTrainer{TModel, TState, TTrace}.Fit"/> from the reference's initial weights. Every epoch's
/// training and validation loss must be within 1e-4 relative of the reference's
/// (Fixtures/fit/make_fit_fixtures.mjs: tfjs' model.fit; make_fit_fixtures.py: PyTorch).
/// </summary>
public sealed class KerasExampleFitTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const int Window = 10;

    /// <summary>SimpleRNN: Keras' fit in tfjs, and PyTorch with Keras' single bias.</summary>
    [Fact]
    public void SimpleRnnMatchesKerasAndPyTorch()
        => AssertFit<KerasExampleRnn, KerasExampleRnn.State, KerasExampleRnn.Trace>("fit_simple_rnn", "tfjs", "torch");

    /// <summary>LSTM: Keras' fit in tfjs, and PyTorch with Keras' single bias.</summary>
    [Fact]
    public void LstmMatchesKerasAndPyTorch()
        => AssertFit<KerasExampleLstm, KerasExampleLstm.State, KerasExampleLstm.Trace>("fit_lstm", "tfjs", "torch");

    /// <summary>
    /// GRU: PyTorch with one bias per r and z gate, as FixedRnn holds them. Keras' GRU trains two (input and
    /// recurrent) and so moves their sum twice as far per Adam step; its losses (tfjs, and PyTorch's own two-bias
    /// GRU, which agree to 1e-5) are printed for comparison, not asserted.
    /// </summary>
    [Fact]
    public void GruMatchesPyTorchWithOneBiasPerGate()
    {
        TrainingResult result = AssertFit<KerasExampleGru, KerasExampleGru.State, KerasExampleGru.Trace>("fit_gru", "torch");
        SafeTensorsFile file = SafeTensorsFile.Read(Fixture.PathOf("fit/fit_gru.safetensors"));
        float[] keras = file.ReadSingles("tfjs.loss");
        output.WriteLine(Invariant($"Keras' two-bias GRU (tfjs): loss {string.Join(", ", keras)}; largest relative difference from FixedRnn's {Worst(result.History.Select(r => r.TrainingLoss).ToArray(), keras):E2}"));
    }

    private TrainingResult AssertFit<TModel, TState, TTrace>(string name, params string[] references)
        where TModel : ITrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        SafeTensorsFile file = SafeTensorsFile.Read(Fixture.PathOf($"fit/{name}.safetensors"));
        (float[] windows, float[] nextValues) = SequenceWindows.Create(file.ReadSingles("series"), Window);
        var model = new TModel();
        string[] modules = PyTorchModuleNames.ModuleList(model.LayerCount);
        model.LoadPyTorch(InitialWeights(file), modules);

        // Keras' 'adam': learning rate 1e-3, betas 0.9 and 0.999, epsilon 1e-7 (PyTorch's default is 1e-8).
        var trainer = new BatchTrainer<TModel, TState, TTrace>(model, new Adam(model.Parameters.Length, learningRate: 1e-3f, epsilon: 1e-7f), Window);
        TrainingResult result = trainer.Fit(windows, nextValues, new FitOptions { Epochs = 5, BatchSize = 32, Shuffle = false, ValidationSplit = 0.2 });

        float[] loss = result.History.Select(report => report.TrainingLoss).ToArray();
        float[] validationLoss = result.History.Select(report => report.ValidationLoss).ToArray();
        output.WriteLine(Invariant($"{name} FixedRnn: loss {string.Join(", ", loss)}; val_loss {string.Join(", ", validationLoss)}"));
        var failures = new List<string>();
        foreach (string reference in references)
        {
            float[] expectedLoss = file.ReadSingles($"{reference}.loss");
            float[] expectedValidation = file.ReadSingles($"{reference}.val_loss");
            output.WriteLine(Invariant($"{name} {reference}: loss {string.Join(", ", expectedLoss)}; val_loss {string.Join(", ", expectedValidation)}"));
            output.WriteLine(Invariant($"  largest relative difference: loss {Worst(loss, expectedLoss):E2}, val_loss {Worst(validationLoss, expectedValidation):E2}"));
            for (int epoch = 0; epoch < 5; epoch++)
            {
                Check(failures, reference, "loss", epoch, loss[epoch], expectedLoss[epoch]);
                Check(failures, reference, "val_loss", epoch, validationLoss[epoch], expectedValidation[epoch]);
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        return result;
    }

    private static void Check(List<string> failures, string reference, string what, int epoch, float actual, float expected)
    {
        double relative = Math.Abs((double)actual - expected) / Math.Abs(expected);
        if (!(relative <= Tolerance))
        {
            failures.Add(Invariant($"epoch {epoch + 1} {what}: FixedRnn {actual:R}, {reference} {expected:R}, relative difference {relative:E2}"));
        }
    }

    private static double Worst(float[] actual, float[] expected)
        => actual.Zip(expected, (a, e) => Math.Abs((double)a - e) / Math.Abs(e)).Max();

    /// <summary>The fixture's layers.* tensors alone: loaders refuse tensors they do not read.</summary>
    private static SafeTensorsFile InitialWeights(SafeTensorsFile file)
    {
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo info in file.Tensors.Where(t => t.Name.StartsWith("layers.", StringComparison.Ordinal)))
        {
            writer.Add(info.Name, file.ReadSingles(info.Name), info.Shape.ToArray());
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
