using System;
using System.Linq;
using FixedRnn;
using FixedRnn.Interop;
using FixedRnn.Training;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

[RecurrentModel(inputSize: 3)]
[Lstm(8)]
[Dense(2, Activation = DenseActivation.Sigmoid)]
public partial class OnnxLstmSigmoidHead;

[RecurrentModel(inputSize: 3)]
[Lstm(8)]
[Dense(2)]
public partial class OnnxLstmLastStep;

/// <summary>
/// The ONNX data-flow check: graphs that compute something besides the declared layers (the issue's LSTM → ReLU →
/// Linear and residual Add, exported by torch.onnx.export) are refused naming the node and op; a head's activation
/// and a last-step output load and match PyTorch; malformed graphs (order, cycles, duplicates, dangling nodes,
/// conflicting attributes, values out of range) are refused; hostile sizes are bounded.
/// </summary>
public sealed class OnnxGraphTests(ITestOutputHelper output)
{
    private static readonly LayerDescription[] LstmDense = [new(LayerKind.Lstm, 4, 12), new(LayerKind.Dense, 12, 2)];

    // ---------------------------------------------------------------- valid exports that compute more than the layers

    [Fact]
    public void ReluBetweenLstmAndLinearIsRefusedNamingTheNode()
        => AssertRejected(OnnxFixtures.Bytes("invalid_lstm_relu"), LstmDense,
            "Relu node '/Relu'", "applies relu to the output of layer 0 (LSTM 4 → 12)", "before layer 1 (Dense 12 → 2)");

    [Fact]
    public void ResidualAddBetweenLstmsIsRefusedNamingTheNode()
        => AssertRejected(OnnxFixtures.Bytes("invalid_lstm_residual"),
            [new(LayerKind.Lstm, 4, 12), new(LayerKind.Lstm, 12, 12), new(LayerKind.Dense, 12, 2)],
            "Add node '/Add'", "the output of layer 0 (LSTM 4 → 12)", "LSTM node '/second/LSTM' already reads", "branches");

    // ---------------------------------------------------------------- what the head may do

    [Fact]
    public void SigmoidAfterTheHeadLoadsIntoADenseSigmoidAndMatchesPyTorch()
    {
        var model = new OnnxLstmSigmoidHead();
        model.LoadOnnx(OnnxFixtures.PathOf("lstm_head_sigmoid.onnx"));
        SafeTensorsFile io = SafeTensorsFile.Read(OnnxFixtures.PathOf("lstm_head_sigmoid.io.safetensors"));
        float[] expected = io.ReadSingles("output");
        var actual = new float[expected.Length];
        var state = default(OnnxLstmSigmoidHead.State);
        model.Forward(io.ReadSingles("input"), ref state, actual);
        output.WriteLine($"max abs error {ParityAssert.MaxAbsError(expected, actual, 1e-5, "lstm_head_sigmoid"):E2}");
    }

    [Fact]
    public void SigmoidAfterTheHeadIsRefusedForAnIdentityHead()
        => AssertRejected(OnnxFixtures.Bytes("lstm_head_sigmoid"), [new(LayerKind.Lstm, 3, 8), new(LayerKind.Dense, 8, 2)],
            "Sigmoid node '/Sigmoid'", "applies sigmoid after the Dense head", "Activation = DenseActivation.Sigmoid");

    [Fact]
    public void DeclaredActivationMissingFromTheGraphIsRefused()
        => AssertRejected(OnnxFixtures.Bytes("lstm_head_last"), [new(LayerKind.Lstm, 3, 8), new(LayerKind.Dense, 8, 2, Activation: LayerActivation.Tanh)],
            "declared Dense (tanh) 8 → 2", "applies no tanh");

    [Fact]
    public void LastStepOutputIsTheModelsOutputAtTheLastStep()
    {
        var model = new OnnxLstmLastStep();
        model.LoadOnnx(OnnxFixtures.PathOf("lstm_head_last.onnx"));
        SafeTensorsFile io = SafeTensorsFile.Read(OnnxFixtures.PathOf("lstm_head_last.io.safetensors"));
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");
        var outputs = new float[inputs.Length / 3 * 2];
        var state = default(OnnxLstmLastStep.State);
        model.Forward(inputs, ref state, outputs);
        ParityAssert.MaxAbsError(expected, outputs[^2..], 1e-5, "lstm_head_last");
    }

    // ---------------------------------------------------------------- malformed graphs

    [Fact]
    public void ValuesReadBeforeTheyAreDefinedAreRefused()
    {
        // The second node reads 'Z', which the third defines: out of data-flow order, or a cycle.
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [
                OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y0"]),
                OnnxWriter.Node("Identity", "early", ["Z"], ["Y"]),
                OnnxWriter.Node("Identity", "late", ["Y0"], ["Z"]),
            ],
            RnnWeights(), "X"));
        AssertRejected(model, Rnn1, "Identity node 'early' reads 'Z'", "not in data-flow order, or has a cycle");
    }

    [Fact]
    public void ValuesDefinedTwiceAreRefused()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"]), OnnxWriter.Node("Constant", "again", [], ["W"], OnnxWriter.TensorAttribute("value", OnnxWriter.FloatTensor("", [1], [0f])))],
            RnnWeights(), "X"));
        AssertRejected(model, Rnn1, "Constant node 'again' defines 'W'", "defined once");
    }

    [Fact]
    public void DanglingNodesAreRefused()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"]), OnnxWriter.Node("Constant", "unused", [], ["C"], OnnxWriter.TensorAttribute("value", OnnxWriter.FloatTensor("", [1], [0f])))],
            RnnWeights(), "X"));
        AssertRejected(model, Rnn1, "Constant node 'unused' computes 'C'", "dangling");
    }

    [Fact]
    public void UnusedInitializersAreUnexpectedUnlessNotStrict()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"])],
            [.. RnnWeights(), OnnxWriter.FloatTensor("optimizer.moment", [3], [1f, 2f, 3f])], "X"));
        AssertRejected(model, Rnn1, "1 initializer that no node it computes reads: 'optimizer.moment'", "strict: false");
        Assert.Equal(4, OnnxWeights.ToPyTorch(model, Rnn1, strict: false).Names.Count);
    }

    [Fact]
    public void RepeatedAndConflictingAttributesAreRefused()
    {
        AssertRejected(RnnWith(OnnxWriter.IntAttribute("hidden_size", 1), OnnxWriter.IntAttribute("hidden_size", 1)), Rnn1,
            "RNN node 'rnn'", "attribute 'hidden_size' more than once");

        byte[] conflicting = OnnxWriter.Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("hidden_size");
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteInt64(1);
            o.WriteTag(2, WireFormat.WireType.Fixed32);
            o.WriteFloat(2f);
        });
        AssertRejected(RnnWith(conflicting), Rnn1, "RNN node 'rnn'", "'hidden_size' with conflicting values");
    }

    [Fact]
    public void OtherDomainsAndOpsAreRefusedByName()
    {
        byte[] softmax = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["H"]), OnnxWriter.Node("Softmax", "probabilities", ["H"], ["Y"])],
            RnnWeights(), "X"));
        AssertRejected(softmax, Rnn1, "Softmax node 'probabilities'", "(Softmax)", "the output of layer 0 (RNN 1 → 1)");

        byte[] domain = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["H"]), WithDomain(OnnxWriter.Node("Fancy", "fancy", ["H"], ["Y"]), "com.example")],
            RnnWeights(), "X"));
        AssertRejected(domain, Rnn1, "Fancy node 'fancy'", "domain 'com.example'");
    }

    [Fact]
    public void SequenceLengthsAreRefused()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R", "", "lengths"], ["Y"])],
            [.. RnnWeights(), OnnxWriter.Tensor("lengths", [1], OnnxWriter.Int32, BitConverter.GetBytes(5))], "X"));
        AssertRejected(model, Rnn1, "RNN node 'rnn'", "sequence_lens");
    }

    [Fact]
    public void PickingAnInnerStepIsRefused()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [
                OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["H"]),
                OnnxWriter.Node("Gather", "third", ["H", "index"], ["Y"]),
            ],
            [.. RnnWeights(), OnnxWriter.Tensor("index", [], 7, BitConverter.GetBytes(3L))], "X"));
        AssertRejected(model, Rnn1, "Gather node 'third'", "picks step 3");
    }

    [Fact]
    public void ValuesOutsideTheirTypesRangeAreRefused()
    {
        byte[] half = OnnxWriter.Tensor("R", [1, 1, 1], OnnxWriter.Float16, raw: null, o =>
        {
            o.WriteTag(5, WireFormat.WireType.Varint);
            o.WriteInt32(0x12345);
        });
        AssertRejected(OnnxWriter.Model(OnnxWriter.Graph([OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"])], [OnnxWriter.FloatTensor("W", [1, 1, 1], [1f]), half], "X")),
            Rnn1, "Input R 'R'", "74565 in int32_data, outside the 16 bits of a FLOAT16");

        byte[] huge = OnnxWriter.Tensor("W", [1, 1, 1], OnnxWriter.Double, BitConverter.GetBytes(1e300));
        AssertRejected(OnnxWriter.Model(OnnxWriter.Graph([OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"])], [huge, OnnxWriter.FloatTensor("R", [1, 1, 1], [1f])], "X")),
            Rnn1, "Input W 'W'", "DOUBLE value 1E+300", "outside float's range");
    }

    [Fact]
    public void ErrorsFromAFileNameItAndSayWhenItIsNotOnnx()
    {
        var error = Assert.Throws<WeightFormatException>(() => OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("lstm_4_12.io.safetensors"), LstmDense));
        Assert.Contains("lstm_4_12.io.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains("not an ONNX file", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<WeightFormatException>(() => OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("invalid_lstm_relu.onnx"), LstmDense));
        Assert.Contains("invalid_lstm_relu.onnx': Relu node '/Relu'", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- bounds

    [Fact]
    public void MillionsOfEmptyNodesAreRefusedAtTheLimitWithBoundedMemory()
    {
        // 10 MB of empty NodeProtos (tag + zero length), the amplification the issue measured at 1.09 GB of heap.
        const int Nodes = 5_000_000;
        byte[] graph = new byte[Nodes * 2];
        for (int i = 0; i < Nodes; i++)
        {
            graph[2 * i] = 0x0A;
        }

        byte[] model = OnnxWriter.Model(graph);
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected(model, Rnn1, $"more than {OnnxProtoReader.MaxNodes} nodes");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{model.Length} bytes of empty nodes: {allocated} bytes allocated before the refusal.");
        Assert.True(allocated < 2L * model.Length, $"{allocated} bytes allocated for a {model.Length}-byte file.");
    }

    [Theory]
    [InlineData("attributes")]
    [InlineData("ints")]
    [InlineData("dims")]
    [InlineData("inputs")]
    public void RepeatedFieldsAreBounded(string field)
    {
        byte[] node = field switch
        {
            "attributes" => OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"], Enumerable.Range(0, 100_000).Select(i => OnnxWriter.IntAttribute("a", i)).ToArray()),
            "ints" => OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"], OnnxWriter.Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteString("many");
                o.WriteTag(8, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(new byte[2_000_000]));
            })),
            "dims" => OnnxWriter.Node("Constant", "c", [], ["C"], OnnxWriter.TensorAttribute("value", OnnxWriter.Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited);
                o.WriteBytes(ByteString.CopyFrom(new byte[2_000_000]));
            }))),
            _ => OnnxWriter.Node("RNN", "rnn", Enumerable.Repeat("X", 1_000_000).ToArray(), ["Y"]),
        };
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph([node], RnnWeights(), "X"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<WeightFormatException>(() => OnnxWeights.ToPyTorch(model, Rnn1));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{field}: {model.Length}-byte file, {allocated} bytes allocated: {error.Message}");
        Assert.Contains("more than", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 4L * model.Length, $"{allocated} bytes allocated for a {model.Length}-byte file.");
    }

    [Fact]
    public void MutatedExportsFailOnlyWithWeightFormatExceptionWithinTheMemoryBound()
    {
        byte[] original = OnnxFixtures.Bytes("lstm_head_sigmoid");
        LayerDescription[] layers = [new(LayerKind.Lstm, 3, 8), new(LayerKind.Dense, 8, 2, Activation: LayerActivation.Sigmoid)];
        var random = new Random(1212);
        long worst = 0;
        int rejected = 0;
        const int Mutations = 1000;
        for (int i = 0; i < Mutations; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            for (int f = 0, flips = 1 + random.Next(3); f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = OnnxWeights.ToPyTorch(mutated, layers);
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

        output.WriteLine($"{Mutations} mutations, {rejected} rejected; most allocated by one load {worst} bytes for a {original.Length}-byte file.");
        Assert.True(rejected > Mutations / 10);
        Assert.True(worst <= 32L * original.Length, $"A load allocated {worst} bytes, more than 32x the {original.Length}-byte file.");
    }

    // ---------------------------------------------------------------- helpers

    private static readonly LayerDescription[] Rnn1 = [new(LayerKind.Rnn, 1, 1)];

    private static byte[][] RnnWeights() => [OnnxWriter.FloatTensor("W", [1, 1, 1], [0.5f]), OnnxWriter.FloatTensor("R", [1, 1, 1], [0.25f])];

    private static byte[] RnnWith(params byte[][] attributes)
        => OnnxWriter.Model(OnnxWriter.Graph([OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"], attributes)], RnnWeights(), "X"));

    private static byte[] WithDomain(byte[] node, string domain) => [.. node, .. OnnxWriter.Message(o =>
    {
        o.WriteTag(7, WireFormat.WireType.LengthDelimited);
        o.WriteString(domain);
    })];

    private static void AssertRejected(byte[] model, LayerDescription[] layers, params string[] fragments)
    {
        var exception = Assert.Throws<WeightFormatException>(() => OnnxWeights.ToPyTorch(model, layers));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }
    }
}
