using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// SavePyTorch writes a PyTorch state_dict: LoadPyTorch reads it back bit for bit, the keys and shapes
/// are PyTorch's, and the weights of a PyTorch fixture come back out as PyTorch saved them (the biases
/// as the same sums, since FixedRnn folds b_ih + b_hh where PyTorch's equations allow).
/// </summary>
public sealed class PyTorchExportTests
{
    // Round trips of random weights (U(−0.5, 0.5) through LoadPyTorch, so the padding is zero).

    [Fact]
    public void LstmRoundTripsBitForBit()
        => AssertRoundTrip<Lstm8To32, Lstm8To32.State, Lstm8To32.Trace>(1, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void ResetAfterGruRoundTripsBitForBit()
        => AssertRoundTrip<Gru5To37, Gru5To37.State, Gru5To37.Trace>(2, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void ResetBeforeGruRoundTripsBitForBit()
        => AssertRoundTrip<ResetBeforeGru5To37, ResetBeforeGru5To37.State, ResetBeforeGru5To37.Trace>(3, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void TanhRnnRoundTripsBitForBit()
        => AssertRoundTrip<RnnTanh4To50, RnnTanh4To50.State, RnnTanh4To50.Trace>(4, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void ReluRnnRoundTripsBitForBit()
        => AssertRoundTrip<RnnReluCell4To3, RnnReluCell4To3.State, RnnReluCell4To3.Trace>(5, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void EveryKindStackRoundTripsBitForBit()
        => AssertRoundTrip<SmallEveryKindStack, SmallEveryKindStack.State, SmallEveryKindStack.Trace>(6, (m, p) => m.SavePyTorch(p), (m, p) => m.LoadPyTorch(p));

    [Fact]
    public void MultiLayerModuleRoundTripsBitForBit()
    {
        string[] modules = ["lstm", "lstm", "fc"];
        string[] keys = AssertRoundTrip<TwoLayerLstmWithHead, TwoLayerLstmWithHead.State, TwoLayerLstmWithHead.Trace>(
            7, (m, p) => m.SavePyTorch(p, modules), (m, p) => m.LoadPyTorch(p, modules), modules);

        string[] expected =
        [
            "fc.bias", "fc.weight",
            "lstm.bias_hh_l0", "lstm.bias_hh_l1", "lstm.bias_ih_l0", "lstm.bias_ih_l1",
            "lstm.weight_hh_l0", "lstm.weight_hh_l1", "lstm.weight_ih_l0", "lstm.weight_ih_l1",
        ];
        Assert.Equal(expected, keys);
    }

    // PyTorch's keys and shapes.

    [Fact]
    public void LstmExportsPyTorchKeysAndShapes()
    {
        var model = new Lstm8To32();
        model.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        AssertKeysAndShapes(
            Save(p => model.SavePyTorch(p)),
            ("layers.0.weight_ih_l0", [128, 8]),
            ("layers.0.weight_hh_l0", [128, 32]),
            ("layers.0.bias_ih_l0", [128]),
            ("layers.0.bias_hh_l0", [128]));
    }

    [Fact]
    public void EveryKindStackExportsPyTorchKeysAndShapes()
    {
        var model = new SmallEveryKindStack();
        RandomStateDict.Load<SmallEveryKindStack, SmallEveryKindStack.State, SmallEveryKindStack.Trace>(model, new Random(8), 0.5f);
        AssertKeysAndShapes(
            Save(p => model.SavePyTorch(p)),
            ("layers.0.weight_ih_l0", [5, 3]), // nn.RNN(3, 5, nonlinearity="relu")
            ("layers.0.weight_hh_l0", [5, 5]),
            ("layers.0.bias_ih_l0", [5]),
            ("layers.0.bias_hh_l0", [5]),
            ("layers.1.weight_ih_l0", [9, 5]), // reset-before GRU 5 → 3, PyTorch's GRU tensors
            ("layers.1.weight_hh_l0", [9, 3]),
            ("layers.1.bias_ih_l0", [9]),
            ("layers.1.bias_hh_l0", [9]),
            ("layers.2.weight_ih_l0", [21, 3]), // nn.GRU(3, 7)
            ("layers.2.weight_hh_l0", [21, 7]),
            ("layers.2.bias_ih_l0", [21]),
            ("layers.2.bias_hh_l0", [21]),
            ("layers.3.weight_ih_l0", [20, 7]), // nn.LSTM(7, 5)
            ("layers.3.weight_hh_l0", [20, 5]),
            ("layers.3.bias_ih_l0", [20]),
            ("layers.3.bias_hh_l0", [20]),
            ("layers.4.weight", [3, 5]), // nn.Linear(5, 3)
            ("layers.4.bias", [3]));
    }

    // Committed PyTorch fixtures: load, export, compare with the file PyTorch wrote.

    [Fact]
    public void LstmFixtureExportsPyTorchsWeights()
    {
        var model = new Lstm8To32();
        model.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        AssertMatchesFixture("lstm_8_32", Save(p => model.SavePyTorch(p)));
    }

    [Fact]
    public void ResetAfterGruFixtureExportsPyTorchsWeights()
    {
        var model = new Gru5To37();
        model.LoadPyTorch(Fixture.PathOf("gru_5_37.weights.safetensors"));
        AssertMatchesFixture("gru_5_37", Save(p => model.SavePyTorch(p)));
    }

    [Fact]
    public void ResetBeforeGruStackFixtureExportsPyTorchsWeights()
    {
        var model = new ResetBeforeGruDense();
        model.LoadPyTorch(Fixture.PathOf("gru_rb_stack_dense.weights.safetensors"));
        AssertMatchesFixture("gru_rb_stack_dense", Save(p => model.SavePyTorch(p)));
    }

    [Fact]
    public void RnnFixtureExportsPyTorchsWeights()
    {
        var model = new RnnTanh4To50();
        model.LoadPyTorch(Fixture.PathOf("rnn_tanh_4_50.weights.safetensors"));
        AssertMatchesFixture("rnn_tanh_4_50", Save(p => model.SavePyTorch(p)));
    }

    [Fact]
    public void MultiLayerModuleFixtureExportsPyTorchsWeights()
    {
        var model = new TwoLayerLstmWithHead();
        model.LoadPyTorch(Fixture.PathOf("lstm_multi.weights.safetensors"), "lstm", "lstm", "fc");
        AssertMatchesFixture("lstm_multi", Save(p => model.SavePyTorch(p, "lstm", "lstm", "fc")));
    }

    /// <summary>Random weights in, SavePyTorch, LoadPyTorch into a fresh model: the same bits. Returns the saved keys, sorted.</summary>
    private static string[] AssertRoundTrip<TModel, TState, TTrace>(int seed, Action<TModel, string> save, Action<TModel, string> load, string[]? modules = null)
        where TModel : ITrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var model = new TModel();
        modules ??= PyTorchModuleNames.ModuleList(model.LayerCount);
        model.LoadPyTorch(RandomStateDict.Create<TModel, TState, TTrace>(new Random(seed), 0.5f, modules), modules);

        var fresh = new TModel();
        SafeTensorsFile saved = Save(path =>
        {
            save(model, path);
            load(fresh, path);
        });

        int[] expected = Bits(model.Parameters);
        int[] actual = Bits(fresh.Parameters);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == actual[i], $"Parameters[{i}]: saved {BitConverter.Int32BitsToSingle(expected[i]):R}, loaded back {BitConverter.Int32BitsToSingle(actual[i]):R}.");
        }

        // The saved file is what ToPyTorch builds from the parameters.
        SafeTensorsFile built = SafeTensorsFile.Parse(TModel.ToPyTorch(model.Parameters, modules).ToArray());
        Assert.Equal(built.Names.OrderBy(n => n, StringComparer.Ordinal), saved.Names.OrderBy(n => n, StringComparer.Ordinal));
        foreach (string name in built.Names)
        {
            Assert.Equal(Bits(built.ReadSingles(name)), Bits(saved.ReadSingles(name)));
        }

        return saved.Names.OrderBy(n => n, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// The exported file has the fixture's keys, dtypes and shapes, each weight tensor bit for bit, and per
    /// element bias_ih + bias_hh equal to PyTorch's (within 1e-6: the fold rounds the sum once); a bias_hh
    /// element is either PyTorch's own (kept apart, as GRU's b_hn) or zero (folded into bias_ih).
    /// </summary>
    private static void AssertMatchesFixture(string fixtureName, SafeTensorsFile exported)
    {
        SafeTensorsFile original = SafeTensorsFile.Read(Fixture.PathOf($"{fixtureName}.weights.safetensors"));
        Assert.Equal(original.Names.OrderBy(n => n, StringComparer.Ordinal), exported.Names.OrderBy(n => n, StringComparer.Ordinal));

        foreach (string name in original.Names)
        {
            Assert.Equal(SafeTensorsDType.F32, exported.GetInfo(name).DType);
            Assert.Equal(original.GetInfo(name).Shape, exported.GetInfo(name).Shape);
            if (name.Contains(".weight", StringComparison.Ordinal))
            {
                Assert.Equal(Bits(original.ReadSingles(name)), Bits(exported.ReadSingles(name)));
            }
        }

        int biasPairs = 0;
        foreach (string name in original.Names.Where(n => n.Contains(".bias_ih", StringComparison.Ordinal)))
        {
            string hhName = name.Replace(".bias_ih", ".bias_hh", StringComparison.Ordinal);
            float[] ih = original.ReadSingles(name);
            float[] hh = original.ReadSingles(hhName);
            float[] exportedIh = exported.ReadSingles(name);
            float[] exportedHh = exported.ReadSingles(hhName);
            for (int i = 0; i < ih.Length; i++)
            {
                double expected = (double)ih[i] + hh[i];
                double actual = (double)exportedIh[i] + exportedHh[i];
                Assert.True(Math.Abs(actual - expected) <= 1e-6, $"{name}[{i}] + {hhName}[{i}]: PyTorch {expected:R}, exported {actual:R}.");
                Assert.True(exportedHh[i] == 0 || BitConverter.SingleToInt32Bits(exportedHh[i]) == BitConverter.SingleToInt32Bits(hh[i]), $"{hhName}[{i}]: exported {exportedHh[i]:R} is neither zero nor PyTorch's {hh[i]:R}.");
            }

            biasPairs++;
        }

        Assert.True(biasPairs > 0);

        // nn.Linear's bias is never folded: bit for bit.
        foreach (string name in original.Names.Where(n => n.EndsWith(".bias", StringComparison.Ordinal)))
        {
            Assert.Equal(Bits(original.ReadSingles(name)), Bits(exported.ReadSingles(name)));
        }
    }

    private static void AssertKeysAndShapes(SafeTensorsFile exported, params (string Name, long[] Shape)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), exported.Names.OrderBy(n => n, StringComparer.Ordinal));
        foreach ((string name, long[] shape) in expected)
        {
            SafeTensorInfo info = exported.GetInfo(name);
            Assert.Equal(SafeTensorsDType.F32, info.DType);
            Assert.Equal(shape, info.Shape);
        }
    }

    /// <summary>Runs <paramref name="use"/> with a fresh temporary path, reads the file it wrote, and deletes it.</summary>
    private static SafeTensorsFile Save(Action<string> use)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fixedrnn-export-{Guid.NewGuid():N}.safetensors");
        try
        {
            use(path);
            return SafeTensorsFile.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}
