using System;
using System.IO;
using System.Linq;
using FixedRnn.Interop;
using FixedRnn.Training;
using Google.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// ONNX weight import (<see cref="OnnxWeights"/>): parity with PyTorch (or ONNX's float64 equations) on the
/// fixtures of Fixtures/onnx/make_onnx_fixtures.py, rejection of what FixedRnn cannot represent, and
/// robustness against corrupted files.
/// </summary>
public sealed class OnnxImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    // ---------------------------------------------------------------- parity

    [Fact]
    public void LstmWithMatMulAddHeadMatchesPyTorch()
        => AssertParity<OnnxLstm4To12, OnnxLstm4To12.State>("lstm_4_12", OnnxFixtures.Lstm4To12);

    [Fact]
    public void GruWithGemmHeadMatchesPyTorch()
        => AssertParity<OnnxGru3To10, OnnxGru3To10.State>("gru_3_10", OnnxFixtures.Gru3To10);

    [Fact]
    public void ReluRnnMatchesPyTorch()
        => AssertParity<OnnxRnnRelu5To9, OnnxRnnRelu5To9.State>("rnn_relu_5_9", OnnxFixtures.RnnRelu5To9);

    [Fact]
    public void LstmGruStackWithHeadMatchesPyTorch()
        => AssertParity<OnnxStackLstmGru, OnnxStackLstmGru.State>("stack_lstm_gru", OnnxFixtures.StackLstmGru);

    [Fact]
    public void ResetBeforeGruWithTransposedGemmMatchesOnnxEquations()
        => AssertParity<OnnxResetBeforeGru3To7, OnnxResetBeforeGru3To7.State>("gru_rb_3_7", OnnxFixtures.ResetBeforeGru3To7);

    [Fact]
    public void DoubleRnnWithoutBiasMatchesOnnxEquations()
        => AssertParity<OnnxRnnTanh2To5, OnnxRnnTanh2To5.State>("rnn_tanh_f64_2_5", OnnxFixtures.RnnTanh2To5);

    [Fact]
    public void PeepholeLstmMatchesOnnxEquations()
        => AssertParity<OnnxPeepholeLstm4To12, OnnxPeepholeLstm4To12.State>("lstm_ph_4_12", OnnxFixtures.PeepholeLstm4To12);

    [Fact]
    public void BidirectionalLstmWithMatMulAddHeadMatchesPyTorch()
        => AssertParity<OnnxBidirectionalLstm4To10, OnnxBidirectionalLstm4To10.State>("bilstm_4_10", OnnxBidirectionalLstm4To10.LayerDescriptions.ToArray());

    [Fact]
    public void StackedBidirectionalGruMatchesPyTorch()
        => AssertParity<OnnxBidirectionalGruStack, OnnxBidirectionalGruStack.State>("bigru_stack_3_6_5", OnnxBidirectionalGruStack.LayerDescriptions.ToArray());

    [Fact]
    public void BidirectionalRnnWithHeadMatchesPyTorch()
        => AssertParity<OnnxBidirectionalRnn5To7, OnnxBidirectionalRnn5To7.State>("birnn_5_7", OnnxBidirectionalRnn5To7.LayerDescriptions.ToArray());

    [Fact]
    public void BidirectionalNodeReadsBothDirections()
    {
        SafeTensorsFile tensors = OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("bilstm_4_10.onnx"), OnnxBidirectionalLstm4To10.LayerDescriptions);
        Assert.Equal(
            ["layers.0.bias_hh_l0", "layers.0.bias_hh_l0_reverse", "layers.0.bias_ih_l0", "layers.0.bias_ih_l0_reverse",
             "layers.0.weight_hh_l0", "layers.0.weight_hh_l0_reverse", "layers.0.weight_ih_l0", "layers.0.weight_ih_l0_reverse", "layers.1.bias", "layers.1.weight"],
            tensors.Names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BidirectionalNodeIntoOneDirectionIsRejected()
        => AssertRejected("bilstm_4_10", [new(LayerKind.Lstm, 4, 10), new(LayerKind.Dense, 20, 2)],
            "LSTM node '/layers.0/LSTM'", "direction = 'bidirectional'", "Bidirectional = true");

    [Fact]
    public void ForwardNodeIntoBidirectionalLayerIsRejected()
        => AssertRejected("lstm_4_12", [new(LayerKind.Lstm, 4, 12) { Bidirectional = true }, new(LayerKind.Dense, 24, 2)],
            "LSTM node '/layers.0/LSTM'", "runs forward only", "declared bidirectional");

    [Theory]
    [InlineData(BidirectionalMerge.Sum)]
    [InlineData(BidirectionalMerge.Multiply)]
    public void BidirectionalNodeIntoAnotherMergeIsRejected(BidirectionalMerge merge)
        => AssertRejected("bilstm_4_10", [new(LayerKind.Lstm, 4, 10) { Bidirectional = true, Merge = merge }, new(LayerKind.Dense, 10, 2)],
            "direction = 'bidirectional'", $"Merge = {merge}", "Merge = BidirectionalMerge.Concat");

    [Fact]
    public void HeadOnUnmergedDirectionsIsRejected()
        => AssertRejected("invalid_bidirectional_unmerged", [new(LayerKind.Lstm, 2, 3) { Bidirectional = true }, new(LayerKind.Dense, 6, 1)],
            "MatMul node 'head'", "two directions on an axis of their own", "Transpose to [T, B, 2, H] and a Reshape to [T, B, 2·H]");

    [Fact]
    public void ReverseOnlyNodeIsRejected()
        => AssertRejected("invalid_reverse", [new(LayerKind.Lstm, 2, 3)], "LSTM node 'reverse'", "direction = 'reverse'", "reverse-only", "Bidirectional = true");

    [Fact]
    public void PeepholeLayerReadsANodeWithoutPAsZeroPeepholes()
    {
        LayerDescription[] layers = [new(LayerKind.Lstm, 4, 12) { Peepholes = true }, new(LayerKind.Dense, 12, 2)];
        SafeTensorsFile tensors = OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("lstm_4_12.onnx"), layers);
        Assert.All(tensors.ReadSingles("layers.0.weight_peephole_l0"), value => Assert.Equal(0f, value));
        AssertParity<OnnxPeepholeLstm4To12, OnnxPeepholeLstm4To12.State>("lstm_4_12", layers);
    }

    [Fact]
    public void PeepholesIntoALayerWithoutThemAreRejected()
        => AssertRejected("lstm_ph_4_12", [new(LayerKind.Lstm, 4, 12), new(LayerKind.Dense, 12, 2)],
            "LSTM node 'lstm'", "peephole weights (input P 'P')", "[Lstm(12, Peepholes = true)]");

    [Fact]
    public void PathAndBytesGiveTheSameTensors()
    {
        SafeTensorsFile fromPath = OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("stack_lstm_gru.onnx"), OnnxFixtures.StackLstmGru);
        SafeTensorsFile fromBytes = OnnxWeights.ToPyTorch(OnnxFixtures.Bytes("stack_lstm_gru"), OnnxFixtures.StackLstmGru);
        Assert.Equal(fromPath.Names, fromBytes.Names);
        foreach (string name in fromPath.Names)
        {
            Assert.Equal(fromPath.ReadSingles(name), fromBytes.ReadSingles(name));
        }
    }

    [Fact]
    public void ResultHasPyTorchNamesAndShapes()
    {
        SafeTensorsFile tensors = OnnxWeights.ToPyTorch(OnnxFixtures.Bytes("stack_lstm_gru"), OnnxFixtures.StackLstmGru);
        string[] expected =
        [
            "layers.0.bias_hh_l0 [32]", "layers.0.bias_ih_l0 [32]", "layers.0.weight_hh_l0 [32, 8]", "layers.0.weight_ih_l0 [32, 4]",
            "layers.1.bias_hh_l0 [18]", "layers.1.bias_ih_l0 [18]", "layers.1.weight_hh_l0 [18, 6]", "layers.1.weight_ih_l0 [18, 8]",
            "layers.2.bias [3]", "layers.2.weight [3, 6]",
        ];
        Assert.Equal(expected, tensors.Tensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape)}]").Order(StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- what the file holds that FixedRnn cannot represent

    [Theory]
    [InlineData("invalid_bidirectional", LayerKind.Lstm, "LSTM node 'bidirectional'", "direction = 'bidirectional'")]
    [InlineData("invalid_clip", LayerKind.Gru, "GRU node 'clip'", "clip = 5")]
    [InlineData("invalid_peepholes", LayerKind.Lstm, "LSTM node 'peepholes'", "peephole weights (input P 'P')")]
    [InlineData("invalid_hardsigmoid", LayerKind.Gru, "GRU node 'hardsigmoid'", "activations = [HardSigmoid, Tanh]")]
    [InlineData("invalid_input_forget", LayerKind.Lstm, "LSTM node 'input_forget'", "input_forget = 1")]
    [InlineData("invalid_layout", LayerKind.Rnn, "RNN node 'layout'", "layout = 1")]
    public void UnsupportedAttributesAreRejectedByName(string fixture, LayerKind kind, string node, string attribute)
    {
        LayerDescription[] layers = [new(kind, 2, 3)];
        AssertRejected(fixture, layers, node, attribute);
    }

    [Fact]
    public void GemmWithAlphaIsRejected()
        => AssertRejected("invalid_gemm_alpha", [new(LayerKind.Gru, 2, 3), new(LayerKind.Dense, 3, 1)], "Gemm node 'head'", "alpha = 0.5");

    // ---------------------------------------------------------------- a file that disagrees with the model

    [Fact]
    public void ResetBeforeFileIntoResetAfterLayerIsRejected()
        => AssertRejected("gru_rb_3_7", [new(LayerKind.Gru, 3, 7, ResetAfter: true), new(LayerKind.Dense, 7, 2)],
            "GRU node 'gru'", "linear_before_reset = 0", "reset-before", "ResetAfter = false");

    [Fact]
    public void ResetAfterFileIntoResetBeforeLayerIsRejected()
        => AssertRejected("gru_3_10", [new(LayerKind.Gru, 3, 10, ResetAfter: false), new(LayerKind.Dense, 10, 1)],
            "GRU node '/layers.0/GRU'", "linear_before_reset = 1", "reset-after");

    [Fact]
    public void HiddenSizeMismatchIsRejected()
        => AssertRejected("lstm_4_12", [new(LayerKind.Lstm, 4, 13), new(LayerKind.Dense, 13, 2)],
            "LSTM node '/layers.0/LSTM'", "hidden_size = 12", "13 hidden units");

    [Fact]
    public void InputSizeMismatchIsRejected()
        => AssertRejected("lstm_4_12", [new(LayerKind.Lstm, 5, 12), new(LayerKind.Dense, 12, 2)],
            "Input W", "LSTM node '/layers.0/LSTM'", "[1, 48, 4]", "expected [1, 48, 5]", "the file's layer reads 4 features, the model's reads 5");

    [Fact]
    public void LayerOrderMismatchIsRejected()
        => AssertRejected("stack_lstm_gru", [new(LayerKind.Gru, 4, 8), new(LayerKind.Lstm, 8, 6), new(LayerKind.Dense, 6, 3)],
            "LSTM node '/layers.0/LSTM'", "is Lstm", "recurrent layer 0 (layer 0) is Gru");

    [Fact]
    public void LayerCountMismatchIsRejected()
        => AssertRejected("stack_lstm_gru", [new(LayerKind.Lstm, 4, 8), new(LayerKind.Dense, 8, 3)],
            "2 recurrent nodes", "LSTM node '/layers.0/LSTM', GRU node '/layers.1/GRU'", "declares 1 recurrent layer");

    [Fact]
    public void MissingDenseHeadIsRejected()
        => AssertRejected("rnn_relu_5_9", [new(LayerKind.Rnn, 5, 9, Activation: LayerActivation.Relu), new(LayerKind.Dense, 9, 1)], "no Gemm");

    [Fact]
    public void UndeclaredDenseHeadIsRejected()
        => AssertRejected("lstm_4_12", [new(LayerKind.Lstm, 4, 12)], "MatMul node '/layers.1/MatMul'", "declares no Dense layer");

    [Fact]
    public void DenseShapeMismatchIsRejected()
        => AssertRejected("gru_3_10", [new(LayerKind.Gru, 3, 10), new(LayerKind.Dense, 10, 2)],
            "Gemm node '/layers.1/Gemm'", "[1, 10]", "expected [2, 10]");

    [Fact]
    public void BadLayerDescriptionsAreArgumentErrors()
    {
        byte[] model = OnnxFixtures.Bytes("lstm_4_12");
        Assert.Throws<ArgumentException>("layers", () => OnnxWeights.ToPyTorch(model, []));
        Assert.Throws<ArgumentException>("layers", () => OnnxWeights.ToPyTorch(model, [new(LayerKind.Dense, 4, 2), new(LayerKind.Lstm, 2, 12)]));
        Assert.Throws<ArgumentException>("layers", () => OnnxWeights.ToPyTorch(model, [new(LayerKind.Lstm, 4, 0)]));
        ArgumentException projected = Assert.Throws<ArgumentException>("layers", () => OnnxWeights.ToPyTorch(model, [new(LayerKind.Lstm, 4, 12) { ProjectionSize = 5 }]));
        Assert.Contains("no projection", projected.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>("path", () => OnnxWeights.ToPyTorch((string)null!, OnnxFixtures.Lstm4To12));
        Assert.Throws<FileNotFoundException>(() => OnnxWeights.ToPyTorch(OnnxFixtures.PathOf("missing.onnx"), OnnxFixtures.Lstm4To12));
    }

    // ---------------------------------------------------------------- encodings the fixtures do not use

    [Fact]
    public void Float16ConstantNodeBFloat16Int32DataAndFloatDataAreDecoded()
    {
        // RNN 1 → 2: W from a Constant node in FLOAT16 raw_data, R in BFLOAT16 int32_data, B in unpacked float_data.
        float[] w = [0.5f, -1.25f];
        float[] r = [0.25f, -0.5f, 2f, -3f];
        float[] b = [0.1f, 0.2f, 0.3f, 0.4f];
        byte[] wTensor = OnnxWriter.Tensor(string.Empty, [1, 2, 1], OnnxWriter.Float16,
            w.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray());
        byte[] rTensor = OnnxWriter.Tensor("R", [1, 2, 2], OnnxWriter.BFloat16, raw: null, o =>
        {
            foreach (float v in r)
            {
                o.WriteTag(5, WireFormat.WireType.Varint);
                o.WriteInt32(BitConverter.SingleToInt32Bits(v) >>> 16);
            }
        });
        byte[] bTensor = OnnxWriter.Tensor("B", [1, 4], OnnxWriter.Float, raw: null, o =>
        {
            foreach (float v in b)
            {
                o.WriteTag(4, WireFormat.WireType.Fixed32);
                o.WriteFloat(v);
            }
        });
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [
                OnnxWriter.Node("Constant", "w", [], ["W"], OnnxWriter.TensorAttribute("value", wTensor)),
                OnnxWriter.Node("RNN", "rnn", ["X", "W", "R", "B"], ["Y"], OnnxWriter.IntAttribute("hidden_size", 2)),
            ],
            [rTensor, bTensor],
            "X"));

        SafeTensorsFile tensors = OnnxWeights.ToPyTorch(model, [new(LayerKind.Rnn, 1, 2)]);
        Assert.Equal(w, tensors.ReadSingles("layers.0.weight_ih_l0"));
        Assert.Equal(r, tensors.ReadSingles("layers.0.weight_hh_l0"));
        Assert.Equal(b[..2], tensors.ReadSingles("layers.0.bias_ih_l0"));
        Assert.Equal(b[2..], tensors.ReadSingles("layers.0.bias_hh_l0"));
    }

    [Fact]
    public void GatesAreReorderedToPyTorch()
    {
        // LSTM 1 → 1: ONNX gate g of W holds the value g, so PyTorch's i, f, g, o must read 0, 2, 3, 1.
        byte[] lstm = SingleNodeModel("LSTM", gates: 4, OnnxWriter.IntAttribute("hidden_size", 1));
        SafeTensorsFile tensors = OnnxWeights.ToPyTorch(lstm, [new(LayerKind.Lstm, 1, 1)]);
        Assert.Equal([0f, 2f, 3f, 1f], tensors.ReadSingles("layers.0.weight_ih_l0"));
        Assert.Equal([10f, 12f, 13f, 11f], tensors.ReadSingles("layers.0.weight_hh_l0"));
        Assert.Equal([20f, 22f, 23f, 21f], tensors.ReadSingles("layers.0.bias_ih_l0"));
        Assert.Equal([24f, 26f, 27f, 25f], tensors.ReadSingles("layers.0.bias_hh_l0"));

        // GRU z, r, h → r, z, n.
        byte[] gru = SingleNodeModel("GRU", gates: 3, OnnxWriter.IntAttribute("hidden_size", 1), OnnxWriter.IntAttribute("linear_before_reset", 1));
        tensors = OnnxWeights.ToPyTorch(gru, [new(LayerKind.Gru, 1, 1)]);
        Assert.Equal([1f, 0f, 2f], tensors.ReadSingles("layers.0.weight_ih_l0"));
        Assert.Equal([11f, 10f, 12f], tensors.ReadSingles("layers.0.weight_hh_l0"));
        Assert.Equal([21f, 20f, 22f], tensors.ReadSingles("layers.0.bias_ih_l0"));
        Assert.Equal([24f, 23f, 25f], tensors.ReadSingles("layers.0.bias_hh_l0"));
    }

    [Fact]
    public void ReverseDirectionIsRejected()
        => AssertRejected(SingleNodeModel("GRU", gates: 3, OnnxWriter.StringAttribute("direction", "reverse"), OnnxWriter.IntAttribute("linear_before_reset", 1)),
            [new(LayerKind.Gru, 1, 1)], "GRU node 'node'", "direction = 'reverse'");

    [Fact]
    public void ActivationParametersAreRejected()
        => AssertRejected(SingleNodeModel("LSTM", gates: 4, OnnxWriter.FloatsAttribute("activation_alpha", 0.5f)),
            [new(LayerKind.Lstm, 1, 1)], "LSTM node 'node'", "activation_alpha = [0.5]");

    [Fact]
    public void RnnActivationsAreTanhOrReluAndMustMatchTheDeclaration()
    {
        OnnxWeights.ToPyTorch(SingleNodeModel("RNN", gates: 1, OnnxWriter.StringsAttribute("activations", "Tanh")), [new(LayerKind.Rnn, 1, 1)]);
        OnnxWeights.ToPyTorch(SingleNodeModel("RNN", gates: 1, OnnxWriter.StringsAttribute("activations", "Relu")), [new(LayerKind.Rnn, 1, 1, Activation: LayerActivation.Relu)]);
        OnnxWeights.ToPyTorch(SingleNodeModel("RNN", gates: 1), [new(LayerKind.Rnn, 1, 1)]);

        // Loading a Relu RNN into a tanh model (or the reverse) would compute other numbers.
        AssertRejected(SingleNodeModel("RNN", gates: 1, OnnxWriter.StringsAttribute("activations", "Relu")),
            [new(LayerKind.Rnn, 1, 1)], "RNN node 'node'", "computes relu", "declared RNN 1 → 1", "RnnActivation.Relu");
        AssertRejected(SingleNodeModel("RNN", gates: 1),
            [new(LayerKind.Rnn, 1, 1, Activation: LayerActivation.Relu)], "RNN node 'node'", "computes tanh (ONNX's default)", "RnnActivation.Tanh");

        AssertRejected(SingleNodeModel("RNN", gates: 1, OnnxWriter.StringsAttribute("activations", "Sigmoid")),
            [new(LayerKind.Rnn, 1, 1)], "RNN node 'node'", "activations = [Sigmoid]", "[Tanh] or [Relu]");
        AssertRejected(SingleNodeModel("LSTM", gates: 4, OnnxWriter.StringsAttribute("activations", "Sigmoid", "Tanh", "Relu")),
            [new(LayerKind.Lstm, 1, 1)], "LSTM node 'node'", "activations = [Sigmoid, Tanh, Relu]");
    }

    [Fact]
    public void ExplicitDefaultAttributesAreAccepted()
    {
        byte[] model = SingleNodeModel("LSTM", gates: 4,
            OnnxWriter.StringAttribute("direction", "forward"), OnnxWriter.IntAttribute("layout", 0), OnnxWriter.IntAttribute("input_forget", 0),
            OnnxWriter.StringsAttribute("activations", "Sigmoid", "Tanh", "Tanh"), OnnxWriter.IntAttribute("hidden_size", 1));
        Assert.Equal(4, OnnxWeights.ToPyTorch(model, [new(LayerKind.Lstm, 1, 1)]).Names.Count);
    }

    [Fact]
    public void UnknownAttributeIsRejected()
    {
        byte[] model = SingleNodeModel("RNN", gates: 1, OnnxWriter.IntAttribute("fancy", 1));
        AssertRejected(model, [new(LayerKind.Rnn, 1, 1)], "RNN node 'node'", "'fancy'");
    }

    [Fact]
    public void ExternalDataIsRejected()
    {
        byte[] w = OnnxWriter.Tensor("W", [1, 1, 1], OnnxWriter.Float, raw: null, o =>
        {
            o.WriteTag(14, WireFormat.WireType.Varint);
            o.WriteInt32(1);
        });
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"])],
            [w, OnnxWriter.FloatTensor("R", [1, 1, 1], [1f])],
            "X"));
        AssertRejected(model, [new(LayerKind.Rnn, 1, 1)], "Input W 'W'", "external data");
    }

    [Fact]
    public void WeightsThatAreGraphInputsAreRejected()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R"], ["Y"])],
            [OnnxWriter.FloatTensor("R", [1, 1, 1], [1f])],
            "X", "W"));
        AssertRejected(model, [new(LayerKind.Rnn, 1, 1)], "Input W 'W'", "graph input without an initializer");
    }

    [Fact]
    public void NonZeroConstantInitialStateIsRejected()
    {
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R", "", "", "h0"], ["Y"])],
            [OnnxWriter.FloatTensor("W", [1, 1, 1], [1f]), OnnxWriter.FloatTensor("R", [1, 1, 1], [1f]), OnnxWriter.FloatTensor("h0", [1, 1, 1], [0.5f])],
            "X"));
        AssertRejected(model, [new(LayerKind.Rnn, 1, 1)], "non-zero constant initial_h", "'h0'");
    }

    [Fact]
    public void HugeDimensionsWithoutDataAreRejectedWithoutAllocating()
    {
        // initial_h claims 2^30 elements but stores none: rejected by comparing counts, before any allocation.
        byte[] model = OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node("RNN", "rnn", ["X", "W", "R", "", "", "h0"], ["Y"])],
            [OnnxWriter.FloatTensor("W", [1, 1, 1], [1f]), OnnxWriter.FloatTensor("R", [1, 1, 1], [1f]), OnnxWriter.Tensor("h0", [1, 1, 1L << 30], OnnxWriter.Float, raw: null)],
            "X"));
        AssertRejected(model, [new(LayerKind.Rnn, 1, 1)], "h0", "1073741824 elements", "0 values in float_data");
    }

    [Fact]
    public void NonOnnxBytesAreRejected()
    {
        AssertRejected([], [new(LayerKind.Rnn, 1, 1)], "no graph");
        AssertRejected("{\"not\": \"onnx\"}"u8.ToArray(), [new(LayerKind.Rnn, 1, 1)]);
        AssertRejected([0x0B, 0x0C], [new(LayerKind.Rnn, 1, 1)], "wire type 3");
        AssertRejected(File.ReadAllBytes(OnnxFixtures.PathOf("lstm_4_12.io.safetensors")), [new(LayerKind.Rnn, 1, 1)]);
    }

    // ---------------------------------------------------------------- corrupted files

    [Theory]
    [InlineData("stack_lstm_gru", 1234)]
    [InlineData("gru_rb_3_7", 5678)]
    public void CorruptedFilesFailOnlyWithWeightFormatException(string fixture, int seed)
    {
        byte[] original = OnnxFixtures.Bytes(fixture);
        LayerDescription[] layers = fixture == "stack_lstm_gru" ? OnnxFixtures.StackLstmGru : OnnxFixtures.ResetBeforeGru3To7;
        var random = new Random(seed);
        int rejected = 0, accepted = 0;
        const int Mutations = 1000;
        for (int i = 0; i < Mutations; i++)
        {
            byte[] mutated = Mutate(original, random, out string how);
            try
            {
                SafeTensorsFile tensors = OnnxWeights.ToPyTorch(mutated, layers);
                LoadInto(fixture, tensors);
                accepted++;
            }
            catch (WeightFormatException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"Mutation {i} ({how}) of {fixture} threw {ex.GetType()}: {ex.Message}");
            }
        }

        output.WriteLine($"{fixture}: {Mutations} mutations, {rejected} rejected with WeightFormatException, {accepted} accepted.");
        Assert.True(rejected > Mutations / 10, $"Only {rejected} of {Mutations} mutations were rejected.");
    }

    private static byte[] Mutate(byte[] original, Random random, out string how)
    {
        byte[] bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
                int length = random.Next(bytes.Length);
                how = $"truncated to {length}";
                return bytes[..length];
            case 1:
                int bit = random.Next(bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                how = $"bit {bit} flipped";
                return bytes;
            case 2:
                int count = 1 + random.Next(4);
                how = $"{count} bytes replaced";
                for (int i = 0; i < count; i++)
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] = (byte)random.Next(256);
                    how += $" @{at}";
                }

                return bytes;
            case 3:
                // A varint length or tag byte becomes a large or continued value.
                int position = random.Next(bytes.Length);
                bytes[position] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x80;
                how = $"byte {position} set to 0x{bytes[position]:X2}";
                return bytes;
            default:
                int start = random.Next(bytes.Length);
                int removed = 1 + random.Next(Math.Min(16, bytes.Length - start));
                how = $"{removed} bytes removed at {start}";
                return [.. bytes[..start], .. bytes[(start + removed)..]];
        }
    }

    private static void LoadInto(string fixture, SafeTensorsFile tensors)
    {
        if (fixture == "stack_lstm_gru")
        {
            new OnnxStackLstmGru().LoadPyTorch(tensors);
        }
        else
        {
            new OnnxResetBeforeGru3To7().LoadPyTorch(tensors);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>One recurrent node, I = H = 1, whose W, R and B elements count up from 0, 10 and 20 in ONNX's order.</summary>
    private static byte[] SingleNodeModel(string op, int gates, params byte[][] attributes)
    {
        float[] w = Enumerable.Range(0, gates).Select(g => (float)g).ToArray();
        float[] r = Enumerable.Range(0, gates).Select(g => 10f + g).ToArray();
        float[] b = Enumerable.Range(0, 2 * gates).Select(g => 20f + g).ToArray();
        return OnnxWriter.Model(OnnxWriter.Graph(
            [OnnxWriter.Node(op, "node", ["X", "W", "R", "B"], ["Y"], attributes)],
            [OnnxWriter.FloatTensor("W", [1, gates, 1], w), OnnxWriter.FloatTensor("R", [1, gates, 1], r), OnnxWriter.FloatTensor("B", [1, 2 * gates], b)],
            "X"));
    }

    private void AssertParity<TModel, TState>(string name, LayerDescription[] layers)
        where TModel : ISequenceModel<TState>, new()
        where TState : struct
    {
        SafeTensorsFile io = SafeTensorsFile.Read(OnnxFixtures.PathOf($"{name}.io.safetensors"));
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");

        var model = new TModel();
        model.LoadPyTorch(OnnxWeights.ToPyTorch(OnnxFixtures.PathOf($"{name}.onnx"), layers), PyTorchModuleNames.ModuleList(layers.Length));
        var state = default(TState);
        float[] actual = new float[expected.Length];
        model.Forward(inputs, ref state, actual);

        double error = ParityAssert.MaxAbsError(expected, actual, Tolerance, name);
        output.WriteLine($"{name}: max abs error {error:E2} over {actual.Length} outputs");
    }

    private static void AssertRejected(string fixture, LayerDescription[] layers, params string[] fragments)
        => AssertRejected(OnnxFixtures.Bytes(fixture), layers, fragments);

    private static void AssertRejected(byte[] model, LayerDescription[] layers, params string[] fragments)
    {
        var exception = Assert.Throws<WeightFormatException>(() => OnnxWeights.ToPyTorch(model, layers));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        }
    }
}
