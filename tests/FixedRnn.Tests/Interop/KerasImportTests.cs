using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// Keras weights through <see cref="KerasWeights.ToPyTorch(SafeTensorsFile, System.ReadOnlySpan{LayerDescription}, System.ReadOnlySpan{string}, KerasOptions?)"/> into generated models, against TensorFlow.js'
/// outputs (Fixtures/keras/make_keras_fixtures.mjs), and the conversion's errors.
/// </summary>
public sealed class KerasImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact] public void Lstm() => AssertParity<KerasLstm, KerasLstm.State>("keras_lstm", KerasModelLayers.Lstm);

    [Fact] public void ResetAfterGru() => AssertParity<KerasGruAfter, KerasGruAfter.State>("keras_gru_after", KerasModelLayers.GruAfter);

    [Fact] public void ResetBeforeGruWithReluHead() => AssertParity<KerasGruBefore, KerasGruBefore.State>("keras_gru_before", KerasModelLayers.GruBefore);

    [Fact] public void SimpleRnn() => AssertParity<KerasSimpleRnn, KerasSimpleRnn.State>("keras_simple_rnn", KerasModelLayers.SimpleRnn);

    [Fact] public void StackWithTf2CellCounters() => AssertParity<KerasStack, KerasStack.State>("keras_stack", KerasModelLayers.Stack);

    [Fact] public void Keras3NamesWithoutSuffix() => AssertParity<Keras3Stack, Keras3Stack.State>("keras3_stack", KerasModelLayers.Keras3Stack);

    [Fact] public void BiasFreeLayers() => AssertParity<KerasNoBias, KerasNoBias.State>("keras_nobias", KerasModelLayers.NoBias);

    [Fact]
    public void BiasFreeLayersGetZeroBiases()
    {
        SafeTensorsFile torch = KerasWeights.ToPyTorch(ReadKeras("keras_nobias"), KerasModelLayers.NoBias, KerasWeights.DefaultLayerNames(KerasModelLayers.NoBias));
        foreach (string name in new[] { "layers.0.bias_ih_l0", "layers.0.bias_hh_l0", "layers.1.bias_ih_l0", "layers.1.bias_hh_l0", "layers.2.bias" })
        {
            Assert.All(torch.ReadSingles(name), value => Assert.Equal(0f, value));
        }

        Assert.Equal([24L], torch.GetInfo("layers.0.bias_ih_l0").Shape);
        Assert.Equal([2L], torch.GetInfo("layers.2.bias").Shape);
    }

    /// <summary>Every other spelling Keras writes, renamed from the TF2 fixture, loads to the same outputs.</summary>
    [Theory]
    [InlineData("cell scope without :0 (Keras 3 variable paths)")]
    [InlineData("no cell scope, with :0")]
    [InlineData("no cell scope, without :0")]
    [InlineData("HDF5 layer group (N/N/cell/kernel:0)")]
    [InlineData("Keras 3 .weights.h5 (layers/N/cell/vars/i)")]
    public void EveryKerasSpellingLoads(string spelling)
    {
        SafeTensorsFile renamed = Rename(ReadKeras("keras_stack"), name => Respell(name, spelling));
        AssertParity<KerasStack, KerasStack.State>("keras_stack", KerasModelLayers.Stack, renamed);
    }

    [Fact]
    public void ExplicitLayerNames()
    {
        var names = new Dictionary<string, string> { ["lstm"] = "encoder", ["lstm_1"] = "encoder_2", ["gru"] = "mixer", ["dense"] = "head" };
        SafeTensorsFile renamed = Rename(ReadKeras("keras_stack"), name => names[name[..name.IndexOf('/', StringComparison.Ordinal)]] + name[name.IndexOf('/', StringComparison.Ordinal)..]);
        AssertParity<KerasStack, KerasStack.State>("keras_stack", KerasModelLayers.Stack, renamed, ["encoder", "encoder_2", "mixer", "head"]);
    }

    [Fact]
    public void DefaultLayerNamesCountPerKind()
    {
        LayerDescription[] layers =
        [
            new(LayerKind.Lstm, 2, 4), new(LayerKind.Gru, 4, 4), new(LayerKind.Lstm, 4, 4), new(LayerKind.Rnn, 4, 4),
            new(LayerKind.Gru, 4, 4), new(LayerKind.Rnn, 4, 4), new(LayerKind.Lstm, 4, 4), new(LayerKind.Dense, 4, 1),
        ];
        Assert.Equal(
            ["lstm", "gru", "lstm_1", "simple_rnn", "gru_1", "simple_rnn_1", "lstm_2", "dense"],
            KerasWeights.DefaultLayerNames(layers));
        Assert.Empty(KerasWeights.DefaultLayerNames([]));
    }

    [Fact]
    public void GruGatesSwapAndKernelsTranspose()
    {
        // I = 2, H = 1: Keras kernel [2, 3] with columns z, r, h; PyTorch weight_ih [3, 2] with rows r, z, n.
        var writer = new SafeTensorsWriter();
        writer.Add("gru/gru_cell/kernel:0", [1, 2, 3, 4, 5, 6], 2, 3);
        writer.Add("gru/gru_cell/recurrent_kernel:0", [7, 8, 9], 1, 3);
        writer.Add("gru/gru_cell/bias:0", [10, 11, 12, 13, 14, 15], 2, 3);
        SafeTensorsFile torch = KerasWeights.ToPyTorch(SafeTensorsFile.Parse(writer.ToArray()), [new(LayerKind.Gru, 2, 1)], ["gru"]);

        Assert.Equal([3L, 2L], torch.GetInfo("layers.0.weight_ih_l0").Shape);
        Assert.Equal([2f, 5f, 1f, 4f, 3f, 6f], torch.ReadSingles("layers.0.weight_ih_l0"));
        Assert.Equal([8f, 7f, 9f], torch.ReadSingles("layers.0.weight_hh_l0"));
        Assert.Equal([11f, 10f, 12f], torch.ReadSingles("layers.0.bias_ih_l0"));
        Assert.Equal([14f, 13f, 15f], torch.ReadSingles("layers.0.bias_hh_l0"));
    }

    [Fact]
    public void LstmGatesKeepTheirOrderAndSingleBiasGoesToBiasIh()
    {
        // I = 1, H = 1: Keras i, f, c, o = PyTorch i, f, g, o.
        var writer = new SafeTensorsWriter();
        writer.Add("lstm/lstm_cell/kernel:0", [1, 2, 3, 4], 1, 4);
        writer.Add("lstm/lstm_cell/recurrent_kernel:0", [5, 6, 7, 8], 1, 4);
        writer.Add("lstm/lstm_cell/bias:0", [9, 10, 11, 12], 4);
        writer.Add("dense/kernel:0", [1, 2, 3], 1, 3);
        writer.Add("dense/bias:0", [4, 5, 6], 3);
        SafeTensorsFile torch = KerasWeights.ToPyTorch(
            SafeTensorsFile.Parse(writer.ToArray()), [new(LayerKind.Lstm, 1, 1), new(LayerKind.Dense, 1, 3)], ["lstm", "dense"]);

        Assert.Equal([1f, 2f, 3f, 4f], torch.ReadSingles("layers.0.weight_ih_l0"));
        Assert.Equal([5f, 6f, 7f, 8f], torch.ReadSingles("layers.0.weight_hh_l0"));
        Assert.Equal([9f, 10f, 11f, 12f], torch.ReadSingles("layers.0.bias_ih_l0"));
        Assert.Equal([0f, 0f, 0f, 0f], torch.ReadSingles("layers.0.bias_hh_l0"));
        Assert.Equal([3L, 1L], torch.GetInfo("layers.1.weight").Shape);
        Assert.Equal([4f, 5f, 6f], torch.ReadSingles("layers.1.bias"));
    }

    [Fact]
    public void ResetBeforeFileForResetAfterModelIsNamed()
    {
        LayerDescription[] declared = [new(LayerKind.Gru, 3, 7, ResetAfter: true), new(LayerKind.Dense, 7, 4)];
        var error = Assert.Throws<WeightFormatException>(
            () => KerasWeights.ToPyTorch(ReadKeras("keras_gru_before"), declared, KerasWeights.DefaultLayerNames(declared)));
        Assert.Equal("gru/gru_cell/bias:0", error.TensorName);
        Assert.Contains("reset-before GRU (Keras reset_after=False)", error.Message, StringComparison.Ordinal);
        Assert.Contains("declares layer 0 reset-after", error.Message, StringComparison.Ordinal);
        Assert.Contains("[Gru(7, ResetAfter = false)]", error.Message, StringComparison.Ordinal);
        output.WriteLine(error.Message);
    }

    [Fact]
    public void ResetAfterFileForResetBeforeModelIsNamed()
    {
        LayerDescription[] declared = [new(LayerKind.Gru, 4, 12, ResetAfter: false)];
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(ReadKeras("keras_gru_after"), declared, ["gru"]));
        Assert.Equal("gru/gru_cell/bias:0", error.TensorName);
        Assert.Contains("[2, 36]", error.Message, StringComparison.Ordinal);
        Assert.Contains("reset-after GRU (Keras reset_after=True", error.Message, StringComparison.Ordinal);
        Assert.Contains("declares layer 0 reset-before", error.Message, StringComparison.Ordinal);
        output.WriteLine(error.Message);
    }

    [Fact]
    public void MissingTensorIsNamedWithItsShape()
    {
        SafeTensorsFile keras = Rename(ReadKeras("keras_lstm"), name => name == "lstm/lstm_cell/recurrent_kernel:0" ? null : name);
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm", "dense"]));
        Assert.Equal("lstm/lstm_cell/recurrent_kernel:0", error.TensorName);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Contains("[16, 64]", error.Message, StringComparison.Ordinal);
        Assert.Contains("'lstm/lstm_cell/kernel:0'", error.Message, StringComparison.Ordinal); // what the file does have there
        output.WriteLine(error.Message);
    }

    [Fact]
    public void WrongLayerNameListsTheFilesLayers()
    {
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), KerasModelLayers.Lstm, ["lstm_1", "dense_1"]));
        Assert.Equal("lstm_1/lstm_cell/kernel:0", error.TensorName);
        Assert.Contains("'dense', 'lstm'", error.Message, StringComparison.Ordinal);
        output.WriteLine(error.Message);
    }

    [Fact]
    public void WrongShapeIsNamedWithBothShapes()
    {
        LayerDescription[] declared = [new(LayerKind.Lstm, 3, 15), new(LayerKind.Dense, 15, 1)];
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), declared, ["lstm", "dense"]));
        Assert.Equal("lstm/lstm_cell/kernel:0", error.TensorName);
        Assert.Contains("has shape [3, 64]; expected [3, 60]: the file's layer has 16 units, the model declares 15", error.Message, StringComparison.Ordinal);

        LayerDescription[] wideHead = [new(LayerKind.Lstm, 3, 16), new(LayerKind.Dense, 16, 2)];
        error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), wideHead, ["lstm", "dense"]));
        Assert.Equal("dense/kernel:0", error.TensorName);
        Assert.Contains("has shape [16, 1]; expected [16, 2]: the file's layer has 1 unit, the model declares 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongBiasShapeIsNamed()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("simple_rnn/simple_rnn_cell/kernel:0", new float[6], 2, 3);
        writer.Add("simple_rnn/simple_rnn_cell/recurrent_kernel:0", new float[9], 3, 3);
        writer.Add("simple_rnn/simple_rnn_cell/bias:0", new float[4], 4);
        var error = Assert.Throws<WeightFormatException>(
            () => KerasWeights.ToPyTorch(SafeTensorsFile.Parse(writer.ToArray()), [new(LayerKind.Rnn, 2, 3)], ["simple_rnn"]));
        Assert.Equal("simple_rnn/simple_rnn_cell/bias:0", error.TensorName);
        Assert.Contains("has shape [4]; expected [3]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IntegerTensorIsRejected()
    {
        byte[] file = RawSafeTensors(
            ("dense/kernel:0", "I32", [2, 1]),
            ("dense/bias:0", "F32", [1]));
        var error = Assert.Throws<WeightFormatException>(
            () => KerasWeights.ToPyTorch(SafeTensorsFile.Parse(file), [new(LayerKind.Rnn, 1, 2), new(LayerKind.Dense, 2, 1)], ["simple_rnn", "dense"]));
        Assert.Equal("simple_rnn/simple_rnn_cell/kernel:0", error.TensorName); // the first layer is missing entirely

        error = Assert.Throws<WeightFormatException>(
            () => KerasWeights.ToPyTorch(SafeTensorsFile.Parse(file), [new(LayerKind.Dense, 2, 1)], ["dense"]));
        Assert.Equal("dense/kernel:0", error.TensorName);
        Assert.Contains("I32; expected a floating-point tensor of shape [2, 1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoSpellingsOfOneTensorAreAmbiguous()
    {
        SafeTensorsFile keras = ReadKeras("keras_simple_rnn");
        var writer = Copy(keras, name => name);
        writer.Add("simple_rnn/kernel", keras.ReadSingles("simple_rnn/simple_rnn_cell/kernel:0"), 5, 9);
        var error = Assert.Throws<WeightFormatException>(
            () => KerasWeights.ToPyTorch(SafeTensorsFile.Parse(writer.ToArray()), KerasModelLayers.SimpleRnn, ["simple_rnn"]));
        Assert.Contains("'simple_rnn/kernel' and 'simple_rnn/simple_rnn_cell/kernel:0'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hard_sigmoid")]
    [InlineData("hardSigmoid")]
    [InlineData("keras.activations.hard_sigmoid")]
    public void HardSigmoidIsRejected(string activation)
    {
        var error = Assert.Throws<NotSupportedException>(() => KerasWeights.ToPyTorch(
            ReadKeras("keras_lstm"), KerasModelLayers.Lstm, ["lstm", "dense"], new KerasOptions { RecurrentActivation = activation }));
        Assert.Contains("logistic sigmoid", error.Message, StringComparison.Ordinal);
        Assert.Contains("recurrent_activation='sigmoid'", error.Message, StringComparison.Ordinal);
        output.WriteLine(error.Message);
    }

    [Fact]
    public void OtherActivationsAreRejectedForGatedLayers()
    {
        Assert.Throws<NotSupportedException>(() => KerasWeights.ToPyTorch(
            ReadKeras("keras_gru_after"), KerasModelLayers.GruAfter, ["gru"], new KerasOptions { RecurrentActivation = "relu" }));
        var error = Assert.Throws<NotSupportedException>(() => KerasWeights.ToPyTorch(
            ReadKeras("keras_gru_after"), KerasModelLayers.GruAfter, ["gru"], new KerasOptions { Activation = "relu" }));
        Assert.Contains("activation='relu'", error.Message, StringComparison.Ordinal);
        Assert.Contains("tanh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultSpellingsOfTheSupportedActivationsAreAccepted()
    {
        var options = new KerasOptions { RecurrentActivation = "Sigmoid", Activation = "keras.activations.tanh" };
        KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), KerasModelLayers.Lstm, ["lstm", "dense"], options);
    }

    [Fact]
    public void GateActivationsDoNotConcernSimpleRnnModels()
    {
        var options = new KerasOptions { RecurrentActivation = "hard_sigmoid", Activation = "relu" };
        KerasWeights.ToPyTorch(ReadKeras("keras_simple_rnn"), KerasModelLayers.SimpleRnn, ["simple_rnn"], options);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        SafeTensorsFile keras = ReadKeras("keras_lstm");
        Assert.Throws<ArgumentNullException>("keras", () => KerasWeights.ToPyTorch((SafeTensorsFile)null!, KerasModelLayers.Lstm, ["lstm", "dense"]));
        Assert.Throws<ArgumentException>("layers", () => KerasWeights.ToPyTorch(keras, [], []));
        Assert.Throws<ArgumentException>("layerNames", () => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm"]));
        Assert.Throws<ArgumentException>("layerNames", () => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm", "lstm"]));
        Assert.Throws<ArgumentException>("layerNames", () => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm", ""]));
        Assert.Throws<ArgumentNullException>("layerNames", () => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm", null!]));
        Assert.Throws<ArgumentException>("layers", () => KerasWeights.ToPyTorch(keras, [new(LayerKind.Lstm, 3, 0)], ["lstm"]));
        Assert.Throws<ArgumentException>("layers", () => KerasWeights.ToPyTorch(keras, [new((LayerKind)9, 3, 16)], ["lstm"]));
        Assert.Throws<ArgumentException>("options", () => KerasWeights.ToPyTorch(keras, KerasModelLayers.Lstm, ["lstm", "dense"], new KerasOptions { Activation = " " }));
    }

    [Fact]
    public void PeepholeLayersAreRejectedWithWhereToLoadThemFrom()
    {
        var exception = Assert.Throws<ArgumentException>("layers", () => KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), [new(LayerKind.Lstm, 3, 16) { Peepholes = true }, new(LayerKind.Dense, 16, 1)], ["lstm", "dense"]));
        Assert.Contains("LSTM (peepholes) 3 → 16", exception.Message, StringComparison.Ordinal);
        Assert.Contains("OnnxWeights", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProjectedLayersAreRejectedWithWhereToLoadThemFrom()
    {
        var exception = Assert.Throws<ArgumentException>("layers", () => KerasWeights.ToPyTorch(ReadKeras("keras_lstm"), [new(LayerKind.Lstm, 3, 16) { ProjectionSize = 4 }, new(LayerKind.Dense, 4, 1)], ["lstm", "dense"]));
        Assert.Contains("LSTM (projection) 3 → 16 → 4", exception.Message, StringComparison.Ordinal);
        Assert.Contains("no projection", exception.Message, StringComparison.Ordinal);
        Assert.Contains("LoadPyTorch", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedConversionLeavesTheModelUntouched()
    {
        var model = new KerasGruAfter();
        model.LoadPyTorch(KerasWeights.ToPyTorch(ReadKeras("keras_gru_after"), KerasModelLayers.GruAfter, ["gru"]));
        float[] before = model.Parameters.ToArray();
        LayerDescription[] declared = [new(LayerKind.Gru, 4, 12, ResetAfter: false)];
        Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(KerasWeights.ToPyTorch(ReadKeras("keras_gru_after"), declared, ["gru"])));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    private void AssertParity<TModel, TState>(string fixtureName, LayerDescription[] layers, SafeTensorsFile? keras = null, string[]? names = null)
        where TModel : IRecurrentModel<TState>, new()
        where TState : struct
    {
        keras ??= ReadKeras(fixtureName);
        names ??= KerasWeights.DefaultLayerNames(layers);
        var model = new TModel();
        model.LoadPyTorch(KerasWeights.ToPyTorch(keras, layers, names), PyTorchModuleNames.ModuleList(layers.Length));

        SafeTensorsFile io = SafeTensorsFile.Read(Fixture.PathOf($"keras/{fixtureName}.io.safetensors"));
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");
        int steps = (int)io.GetInfo("input").Shape[0];
        Assert.Equal(model.InputSize, (int)io.GetInfo("input").Shape[1]);
        Assert.Equal(model.OutputSize, (int)io.GetInfo("output").Shape[1]);

        var forwarded = new float[expected.Length];
        var state = default(TState);
        model.Forward(inputs, ref state, forwarded);
        double forwardError = ParityAssert.MaxAbsError(expected, forwarded, Tolerance, $"{fixtureName} Forward");

        var stepped = new float[expected.Length];
        state = default;
        for (int t = 0; t < steps; t++)
        {
            model.Step(inputs.AsSpan(t * model.InputSize, model.InputSize), ref state, stepped.AsSpan(t * model.OutputSize, model.OutputSize));
        }

        double stepError = ParityAssert.MaxAbsError(expected, stepped, Tolerance, $"{fixtureName} Step");
        output.WriteLine($"{fixtureName}: T = {steps}, max abs error vs TensorFlow.js Forward {forwardError:E2}, Step {stepError:E2} (SIMD path: {SimdPath.Describe()})");
    }

    private static SafeTensorsFile ReadKeras(string fixtureName) => SafeTensorsFile.Read(Fixture.PathOf($"keras/{fixtureName}.keras.safetensors"));

    /// <summary>A copy of <paramref name="file"/> with every tensor renamed; a null name drops the tensor.</summary>
    private static SafeTensorsFile Rename(SafeTensorsFile file, Func<string, string?> rename) => SafeTensorsFile.Parse(Copy(file, rename).ToArray());

    private static SafeTensorsWriter Copy(SafeTensorsFile file, Func<string, string?> rename)
    {
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo info in file.Tensors)
        {
            if (rename(info.Name) is string name)
            {
                writer.Add(name, file.ReadSingles(info.Name), info.Shape.ToArray());
            }
        }

        return writer;
    }

    /// <summary>Rewrites a TF2 name (<c>N/cell/param:0</c> or <c>N/param:0</c>) in another of Keras' spellings.</summary>
    private static string Respell(string name, string spelling)
    {
        string[] parts = name[..^2].Split('/'); // drop ":0"
        string layer = parts[0];
        string? cell = parts.Length == 3 ? parts[1] : null;
        string parameter = parts[^1];
        return spelling switch
        {
            "cell scope without :0 (Keras 3 variable paths)" => name[..^2],
            "no cell scope, with :0" => $"{layer}/{parameter}:0",
            "no cell scope, without :0" => $"{layer}/{parameter}",
            "HDF5 layer group (N/N/cell/kernel:0)" => $"{layer}/{name}",
            "Keras 3 .weights.h5 (layers/N/cell/vars/i)" => cell is null
                ? $"layers/{layer}/vars/{(parameter == "kernel" ? 0 : 1)}"
                : $"layers/{layer}/cell/vars/{Array.IndexOf(["kernel", "recurrent_kernel", "bias"], parameter)}",
            _ => throw new ArgumentOutOfRangeException(nameof(spelling), spelling, null),
        };
    }

    /// <summary>A safetensors file of zero-filled tensors of any dtype, which <see cref="SafeTensorsWriter"/> (F32 only) cannot write.</summary>
    private static byte[] RawSafeTensors(params (string Name, string DType, long[] Shape)[] tensors)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        foreach ((string name, string dtype, long[] shape) in tensors)
        {
            long length = shape.Aggregate(1L, (a, b) => a * b) * 4;
            header.Append(header.Length > 1 ? "," : string.Empty)
                .Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + length}]}}");
            offset += length;
        }

        header.Append('}');
        while (header.Length % 8 != 0)
        {
            header.Append(' ');
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToString());
        byte[] file = new byte[8 + json.Length + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }
}
