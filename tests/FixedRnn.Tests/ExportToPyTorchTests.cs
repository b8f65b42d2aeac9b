using System;
using System.IO;
using System.Linq;
using System.Reflection;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests;

[RecurrentModel(inputSize: 3)]
[Lstm(12)]
[Gru(10)]
[Rnn(6, Activation = RnnActivation.Relu)]
[Dense(2)]
public partial class ExportedStack;

/// <summary>
/// PyTorch loads what FixedRnn exports: <c>export_stack.fixedrnn.safetensors</c> holds parameters trained
/// here and exported with <c>SavePyTorch</c>; Fixtures/check_export.py loads it with
/// <c>load_state_dict(strict=True)</c> into <c>nn.LSTM</c>, <c>nn.GRU</c>, <c>nn.RNN</c> and <c>nn.Linear</c>
/// and writes PyTorch's outputs to <c>export_stack.torch.safetensors</c>.
/// </summary>
/// <remarks>
/// Re-create the export with <c>FIXEDRNN_WRITE_EXPORT_FIXTURE=1</c> set when running this class's tests,
/// then rerun the script with Debian's python3-torch.
/// </remarks>
public sealed class ExportToPyTorchTests
{
    private const string ExportName = "export_stack.fixedrnn.safetensors";
    private const int Steps = 40;

    [Fact]
    public void PyTorchReproducesTheExportedModel()
    {
        WriteFixtureIfAsked();
        var model = new ExportedStack();
        model.LoadPyTorch(Fixture.PathOf(ExportName));
        SafeTensorsFile torch = SafeTensorsFile.Read(Fixture.PathOf("export_stack.torch.safetensors"));

        var outputs = new float[Steps * ExportedStack.OutputSize];
        var state = default(ExportedStack.State);
        model.Forward(torch.ReadSingles("input"), ref state, outputs);

        ParityAssert.MaxAbsError(torch.ReadSingles("output"), outputs, 1e-5, "PyTorch on FixedRnn's export");
    }

    [Fact]
    public void ExportRoundTripsBitForBit()
    {
        var model = new ExportedStack();
        model.LoadPyTorch(Fixture.PathOf(ExportName));

        byte[] exported = ExportedStack.ToPyTorch(model.Parameters, PyTorchModuleNames.ModuleList(ExportedStack.LayerCount)).ToArray();

        Assert.Equal(File.ReadAllBytes(Fixture.PathOf(ExportName)), exported);
    }

    /// <summary>Trains a little on a fixed random series, so the export holds trained, asymmetric parameters.</summary>
    private static void WriteFixtureIfAsked()
    {
        if (Environment.GetEnvironmentVariable("FIXEDRNN_WRITE_EXPORT_FIXTURE") != "1")
        {
            return;
        }

        var model = new ExportedStack();
        model.Initialize(InitializationScheme.PyTorch, seed: 17);
        var random = new Random(23);
        float[] inputs = Enumerable.Range(0, 200 * ExportedStack.InputSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] targets = Enumerable.Range(0, 200 * ExportedStack.OutputSize).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var trainer = new SequenceTrainer<ExportedStack, ExportedStack.State, ExportedStack.Trace>(model, new Adam(ExportedStack.ParameterCount, 0.01f), maxWindowLength: 20);
        trainer.Fit(inputs, targets, new TrainerOptions { Epochs = 3, WindowLength = 20 });

        string directory = typeof(ExportToPyTorchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FixtureDirectory").Value!;
        model.SavePyTorch(Path.Combine(directory, ExportName));
        model.SavePyTorch(Fixture.PathOf(ExportName));
    }
}
