using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using FixedRnn;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

[RecurrentModel(inputSize: 4)]
[Lstm(20)]
[Lstm(12)]
[Gru(9, ResetAfter = false)]
public partial class KerasStackWithoutHead;

/// <summary>
/// Keras files as Keras writes them (Fixtures/keras/make_keras_h5_fixtures.py, with the numbers of the tfjs
/// references): each format reproduces TensorFlow.js' outputs; a saved configuration that differs from the
/// declaration is refused listing every difference; unused layer weights are refused unless not strict; malformed
/// files fail only with <see cref="WeightFormatException"/>.
/// </summary>
public sealed class KerasFileTests(ITestOutputHelper output)
{
    [Fact]
    public void Keras2ModelSaveH5Reproduces()
    {
        var model = new KerasLstm();
        model.LoadKeras(PathOf("keras_lstm.h5"));
        AssertReproduces(model, "keras_lstm");
        Assert.StartsWith("HDF5 model saved by Keras 2.15.0", KerasFile.Read(PathOf("keras_lstm.h5")).Format, StringComparison.Ordinal);
    }

    [Fact]
    public void Keras2SaveWeightsH5Reproduces()
    {
        var model = new KerasStack();
        model.LoadKeras(PathOf("keras_stack.weights.h5"));
        AssertReproduces(model, "keras_stack");
    }

    [Fact]
    public void Keras3LegacyH5WithVariablePathsReproduces()
    {
        var model = new KerasGruBefore();
        model.LoadKeras(PathOf("keras_gru_before.h5"));
        AssertReproduces(model, "keras_gru_before");
    }

    [Fact]
    public void Keras3WeightsH5Reproduces()
    {
        var model = new Keras3Stack();
        model.LoadKeras(PathOf("keras3_stack.weights.h5"));
        AssertReproduces(model, "keras3_stack");
    }

    [Fact]
    public void Keras3ArchiveReproduces()
    {
        var model = new Keras3Stack();
        model.LoadKeras(PathOf("keras3_stack.keras"));
        AssertReproduces(model, "keras3_stack");
        KerasFile file = KerasFile.Read(PathOf("keras3_stack.keras"));
        Assert.Equal(["gru", "simple_rnn", "dense"], file.LayerOrder);
        Assert.Equal(4, file.Layers!.Count);
    }

    [Fact]
    public void EveryConfigurationMismatchIsReported()
    {
        byte[] archive = WithConfig(File.ReadAllBytes(PathOf("keras3_stack.keras")), layers =>
        {
            layers[1]!["config"]!["reset_after"] = false;
            layers[1]!["config"]!["return_sequences"] = false;
            layers[2]!["config"]!["activation"] = "relu";
            layers[2]!["config"]!["go_backwards"] = true;
            layers[3]!["config"]!["activation"] = "softmax";
            layers[3]!["config"]!["units"] = 3;
        });
        var error = Assert.Throws<WeightFormatException>(() => KerasWeights.ToPyTorch(KerasFile.Parse(archive), Keras3Stack.LayerDescriptions));
        output.WriteLine(error.Message);
        foreach (string fact in (string[])[
            "(1) layer 0: the file's GRU 'gru' has reset_after=False", "declare [Gru(10, ResetAfter = false)]",
            "layer 0: the file's GRU 'gru' has return_sequences=False, but layer 1 reads its output at every step",
            "layer 1: the file's SimpleRNN 'simple_rnn' has activation='relu'", "declare [Rnn(8, Activation = RnnActivation.Relu)]",
            "has go_backwards=True", "layer 2: the file's Dense 'dense' has 3 units, the declaration 2",
            "activation='softmax', which FixedRnn's Dense layer does not compute"])
        {
            Assert.Contains(fact, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnotherModelsArchiveIsRefusedByKindAndCount()
    {
        var model = new KerasStack();
        float[] before = model.Parameters.ToArray();
        var error = Assert.Throws<WeightFormatException>(() => model.LoadKeras(PathOf("keras3_stack.keras")));
        Assert.Contains("keras3_stack.keras", error.Message, StringComparison.Ordinal);
        Assert.Contains("the file's model has 3 layers with weights (GRU 'gru', SimpleRNN 'simple_rnn', Dense 'dense'), the declaration 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("layer 0: the file's GRU 'gru' is declared LSTM 4 → 20", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void UnusedLayerWeightsAreRefusedUnlessNotStrict()
    {
        var model = new KerasStackWithoutHead();
        var error = Assert.Throws<WeightFormatException>(() => model.LoadKeras(PathOf("keras_stack.weights.h5")));
        Assert.Contains("has 4 layers with weights ('lstm', 'lstm_1', 'gru', 'dense'), but the model declares 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("strict: false", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<WeightFormatException>(() => model.LoadKeras(PathOf("keras_stack.weights.h5"), "lstm", "lstm_1", "gru"));
        Assert.Contains("2 weights the model does not read: 'layers/dense/vars/0' [9, 3], 'layers/dense/vars/1' [3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("strict: false", error.Message, StringComparison.Ordinal);
        model.LoadKeras(PathOf("keras_stack.weights.h5"), strict: false);
        model.LoadKeras(PathOf("keras_stack.weights.h5"), strict: false, "lstm", "lstm_1", "gru");
    }

    [Fact]
    public void FilesThatAreNotKerasAreNamed()
    {
        var error = Assert.Throws<WeightFormatException>(() => KerasFile.Read(Fixture.PathOf("pytorch/net_lstm2_head.pt")));
        Assert.Contains("net_lstm2_head.pt", error.Message, StringComparison.Ordinal);
        Assert.Contains("without config.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("LoadPyTorch", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<WeightFormatException>(() => KerasFile.Parse(Encoding.UTF8.GetBytes("model: lstm, 3 layers, trained on Tuesday")));
        Assert.Contains("not a Keras file", error.Message, StringComparison.Ordinal);

        byte[] hdf5WithoutKeras = File.ReadAllBytes(PathOf("keras3_stack.weights.h5"));
        Assert.NotNull(KerasFile.Parse(hdf5WithoutKeras));
    }

    [Theory]
    [InlineData("keras_lstm.h5", 1207)]
    [InlineData("keras_stack.weights.h5", 1208)]
    public void MutatedHdf5FailsOnlyWithWeightFormatException(string fixture, int seed)
    {
        byte[] original = File.ReadAllBytes(PathOf(fixture));
        LayerDescription[] layers = fixture == "keras_lstm.h5" ? [.. KerasLstm.LayerDescriptions] : [.. KerasStack.LayerDescriptions];
        var random = new Random(seed);
        int rejected = 0, accepted = 0;
        long worst = 0;
        const int Mutations = 300;
        for (int i = 0; i < Mutations; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            for (int f = 0, flips = 1 + random.Next(3); f < flips; f++)
            {
                mutated[random.Next(Math.Min(mutated.Length, random.Next(2) == 0 ? 4096 : mutated.Length))] = (byte)random.Next(256);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = KerasWeights.ToPyTorch(KerasFile.Parse(mutated), layers);
                accepted++;
            }
            catch (WeightFormatException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"Mutation {i} threw {ex.GetType()}: {ex.Message}");
            }

            worst = Math.Max(worst, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        output.WriteLine($"{Mutations} mutations: {rejected} rejected, {accepted} accepted; most allocated by one load {worst} bytes for a {original.Length}-byte file.");
        Assert.True(rejected > Mutations / 10);
        Assert.True(worst <= 64L * original.Length, $"A load allocated {worst} bytes, more than 64x the {original.Length}-byte file.");
    }

    private static string PathOf(string name) => Fixture.PathOf(Path.Combine("keras", name));

    private static byte[] WithConfig(byte[] archive, Action<JsonArray> edit)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                using var reader = new MemoryStream();
                using (Stream stream = entry.Open())
                {
                    stream.CopyTo(reader);
                }

                byte[] content = reader.ToArray();
                if (entry.FullName == "config.json")
                {
                    JsonNode config = JsonNode.Parse(content)!;
                    edit(config["config"]!["layers"]!.AsArray());
                    content = Encoding.UTF8.GetBytes(config.ToJsonString());
                }

                using Stream written = target.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                written.Write(content);
            }
        }

        return output.ToArray();
    }

    private void AssertReproduces<TState>(IRecurrentModel<TState> model, string fixture)
        where TState : struct
    {
        SafeTensorsFile io = SafeTensorsFile.Read(PathOf($"{fixture}.io.safetensors"));
        float[] expected = io.ReadSingles("output");
        var actual = new float[expected.Length];
        var state = default(TState);
        model.Forward(io.ReadSingles("input"), ref state, actual);
        output.WriteLine($"{fixture}: max abs error {ParityAssert.MaxAbsError(expected, actual, 1e-5, fixture):E2}");
    }
}
