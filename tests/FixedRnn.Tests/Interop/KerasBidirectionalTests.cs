using System;
using System.Linq;
using System.Text;
using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// Keras' <c>Bidirectional(LSTM)</c> in each merge mode against TensorFlow.js (Fixtures/keras/make_keras_bidirectional_fixtures.mjs),
/// and the merge mode checked against a saved configuration.
/// </summary>
public sealed class KerasBidirectionalTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact] public void Concat() => AssertParity<KerasBidirectionalConcat, KerasBidirectionalConcat.State>("keras_bilstm_concat", KerasBidirectionalConcat.LayerDescriptions.ToArray());

    [Fact] public void Sum() => AssertParity<KerasBidirectionalSum, KerasBidirectionalSum.State>("keras_bilstm_sum", KerasBidirectionalSum.LayerDescriptions.ToArray());

    [Fact] public void Average() => AssertParity<KerasBidirectionalAverage, KerasBidirectionalAverage.State>("keras_bilstm_ave", KerasBidirectionalAverage.LayerDescriptions.ToArray());

    [Fact] public void Multiply() => AssertParity<KerasBidirectionalMultiply, KerasBidirectionalMultiply.State>("keras_bilstm_mul", KerasBidirectionalMultiply.LayerDescriptions.ToArray());

    /// <summary>The other spellings Keras writes for a wrapper's tensors, renamed from the TF2 fixture, load to the same outputs.</summary>
    [Theory]
    [InlineData("Keras 3 variable paths")]
    [InlineData("HDF5 layer group")]
    [InlineData("Keras 3 .weights.h5")]
    public void EveryKerasSpellingOfAWrapperLoads(string spelling)
    {
        SafeTensorsFile tf2 = SafeTensorsFile.Read(Fixture.PathOf("keras/keras_bilstm_sum.keras.safetensors"));
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo info in tf2.Tensors)
        {
            writer.Add(Respell(info.Name, spelling), tf2.ReadSingles(info.Name), info.Shape.ToArray());
        }

        AssertParity<KerasBidirectionalSum, KerasBidirectionalSum.State>("keras_bilstm_sum", KerasBidirectionalSum.LayerDescriptions.ToArray(), SafeTensorsFile.Parse(writer.ToArray()));
    }

    [Fact]
    public void DefaultNamesGiveTheWrappedLayerItsKindsName()
        => Assert.Equal(
            ["bidirectional", "lstm_1", "bidirectional_1", "dense"],
            KerasWeights.DefaultLayerNames([
                new(LayerKind.Lstm, 3, 4) { Bidirectional = true }, new(LayerKind.Lstm, 8, 4), new(LayerKind.Gru, 4, 2) { Bidirectional = true }, new(LayerKind.Dense, 4, 1)]));

    [Fact]
    public void WeightsOfOneDirectionIntoABidirectionalLayerAreRefusedWithWhatFits()
    {
        SafeTensorsFile keras = SafeTensorsFile.Read(Fixture.PathOf("keras/keras_lstm.keras.safetensors"));
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(keras, [new(LayerKind.Lstm, 3, 16) { Bidirectional = true }, new(LayerKind.Dense, 32, 1)], ["lstm", "dense"]));
        Assert.Contains("'lstm/forward_…'", error.Message, StringComparison.Ordinal);
        Assert.Contains("without Bidirectional", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("concat", BidirectionalMerge.Concat, null)]
    [InlineData("sum", BidirectionalMerge.Sum, null)]
    [InlineData("ave", BidirectionalMerge.Concat, "merge_mode='ave', the declaration Merge = Concat; declare Merge = BidirectionalMerge.Average")]
    [InlineData("mul", BidirectionalMerge.Sum, "merge_mode='mul', the declaration Merge = Sum; declare Merge = BidirectionalMerge.Multiply")]
    [InlineData(null, BidirectionalMerge.Concat, "merge_mode=None, which returns the two directions apart")]
    public void SavedMergeModeIsChecked(string? mergeMode, BidirectionalMerge declared, string? problem)
    {
        string merge = mergeMode is null ? "null" : $"\"{mergeMode}\"";
        string json = """
            {"class_name": "Sequential", "config": {"layers": [
              {"class_name": "InputLayer", "config": {"name": "input_layer"}},
              {"class_name": "Bidirectional", "config": {"name": "bidirectional", "merge_mode": MERGE,
                "layer": {"class_name": "LSTM", "config": {"name": "lstm", "units": 8, "return_sequences": true}}}},
              {"class_name": "Dense", "config": {"name": "dense", "units": 2}}]}}
            """.Replace("MERGE", merge, StringComparison.Ordinal);
        var saved = KerasLayerConfig.ParseModel(Encoding.UTF8.GetBytes(json));
        Assert.True(saved[1].Bidirectional);
        int width = declared == BidirectionalMerge.Concat ? 16 : 8;
        var problems = KerasLayerConfig.Mismatches(saved, [new(LayerKind.Lstm, 3, 8) { Bidirectional = true, Merge = declared }, new(LayerKind.Dense, width, 2)]);
        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, entry => entry.Contains(problem, StringComparison.Ordinal));
        }

        // A one-directional declaration of the same file is named as such.
        var oneDirection = KerasLayerConfig.Mismatches(saved, [new(LayerKind.Lstm, 3, 8), new(LayerKind.Dense, 8, 2)]);
        Assert.Contains(oneDirection, entry => entry.Contains("is wrapped in Bidirectional, the declaration has one direction", StringComparison.Ordinal));
    }

    /// <summary>
    /// A TF2 name of the fixtures (<c>bidirectional/forward_lstm/lstm_cell_1/kernel:0</c>, <c>dense/kernel:0</c>) as Keras 3's
    /// variable paths, a TF2 HDF5 layer group's dataset path, or a Keras 3 <c>.weights.h5</c> path spell it.
    /// </summary>
    private static string Respell(string name, string spelling)
    {
        string[] parts = name[..^2].Split('/'); // drop ":0"
        string parameter = parts[^1];
        bool dense = parts.Length == 2;
        int index = Array.IndexOf(["kernel", "recurrent_kernel", "bias"], parameter);
        return spelling switch
        {
            "Keras 3 variable paths" => dense ? $"dense/{parameter}" : $"{parts[0]}/{parts[1]}/lstm_cell/{parameter}",
            "HDF5 layer group" => $"{parts[0]}/{name}",
            "Keras 3 .weights.h5" => dense
                ? $"layers/dense/vars/{(parameter == "kernel" ? 0 : 1)}"
                : $"layers/{parts[0]}/{(parts[1].StartsWith("forward_", StringComparison.Ordinal) ? "forward_layer" : "backward_layer")}/cell/vars/{index}",
            _ => throw new ArgumentOutOfRangeException(nameof(spelling), spelling, null),
        };
    }

    private void AssertParity<TModel, TState>(string fixtureName, LayerDescription[] layers, SafeTensorsFile? keras = null)
        where TModel : ISequenceModel<TState>, new()
        where TState : struct
    {
        keras ??= SafeTensorsFile.Read(Fixture.PathOf($"keras/{fixtureName}.keras.safetensors"));
        var model = new TModel();
        model.LoadPyTorch(KerasWeights.ToPyTorch(keras, layers, KerasWeights.DefaultLayerNames(layers)), PyTorchModuleNames.ModuleList(layers.Length));

        SafeTensorsFile io = SafeTensorsFile.Read(Fixture.PathOf($"keras/{fixtureName}.io.safetensors"));
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");
        var forwarded = new float[expected.Length];
        var state = default(TState);
        model.Forward(inputs, ref state, forwarded);
        double error = ParityAssert.MaxAbsError(expected, forwarded, Tolerance, $"{fixtureName} Forward");
        output.WriteLine($"{fixtureName}: max abs error vs TensorFlow.js {error:E2} (SIMD path: {SimdPath.Describe()})");
    }
}
