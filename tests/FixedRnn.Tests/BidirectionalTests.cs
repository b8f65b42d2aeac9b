using System;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests;

/// <summary>
/// Bidirectional layers against PyTorch's <c>bidirectional=True</c> modules, from the committed fixtures
/// (Fixtures/make_bidirectional_fixtures.py, float64 references): outputs of <c>Forward</c>, the batched
/// <c>Forward</c> and the recording one, and float64 autograd gradients of every parameter (both directions), the
/// inputs and both directions' initial states.
/// </summary>
public sealed class BidirectionalTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact] public void Lstm8To32() => AssertParity<BidirectionalLstm8To32, BidirectionalLstm8To32.State, BidirectionalLstm8To32.Trace>("bilstm_8_32");

    [Fact] public void StackedGruWithDense() => AssertParity<BidirectionalGruStackDense, BidirectionalGruStackDense.State, BidirectionalGruStackDense.Trace>("bigru_stack_dense");

    [Fact] public void Rnn4To20() => AssertParity<BidirectionalRnn4To20, BidirectionalRnn4To20.State, BidirectionalRnn4To20.Trace>("birnn_4_20");

    /// <summary>A bidirectional LSTM with projection (<c>nn.LSTM(4, 16, proj_size=6, bidirectional=True)</c>, make_projection_fixtures.py).</summary>
    [Fact] public void ProjectedLstm4To16() => AssertParity<BidirectionalProjectedLstm4To16, BidirectionalProjectedLstm4To16.State, BidirectionalProjectedLstm4To16.Trace>("bilstm_proj_4_16_6");

    [Fact]
    public void ForwardLeavesTheReverseInitialStateAndAdvancesTheForwardOne()
    {
        var fixture = Fixture.Load("bilstm_8_32");
        var model = new BidirectionalLstm8To32();
        model.LoadPyTorch(fixture.WeightsPath);
        var state = default(BidirectionalLstm8To32.State);
        state.Layer0ReverseHidden.Fill(0.25f);
        state.Layer0ReverseCell.Fill(-0.5f);
        var first = new float[fixture.Outputs.Length];
        model.Forward(fixture.Inputs, ref state, first);

        Assert.All(state.Layer0ReverseHidden.ToArray(), value => Assert.Equal(0.25f, value));
        Assert.All(state.Layer0ReverseCell.ToArray(), value => Assert.Equal(-0.5f, value));

        // The forward direction's final h is the first half of the last output row.
        int last = (fixture.Steps - 1) * BidirectionalLstm8To32.OutputSize;
        Assert.Equal(first.AsSpan(last, 32).ToArray(), state.Layer0Hidden.ToArray());

        // With a non-zero reverse initial state the outputs differ from PyTorch's zero-state ones.
        Assert.True(ParityAssert.MaxAbsError(fixture.Outputs, first, double.PositiveInfinity, "reverse from 0.25") > 1e-3);
    }

    [Fact]
    public void EmptySequenceChangesNothing()
    {
        var model = new BidirectionalGruStackDense();
        model.Initialize(InitializationScheme.PyTorch, seed: 2);
        var state = default(BidirectionalGruStackDense.State);
        state.Layer1ReverseHidden.Fill(0.5f);
        model.Forward([], ref state, []);
        var trace = new BidirectionalGruStackDense.Trace(4);
        model.Forward([], ref state, [], trace);
        var gradients = new float[BidirectionalGruStackDense.ParameterCount];
        var stateGradient = default(BidirectionalGruStackDense.State);
        stateGradient.Layer0Hidden.Fill(1f);
        stateGradient.Layer0ReverseHidden.Fill(2f);
        model.Backward(trace, [], gradients, [], ref stateGradient);

        Assert.All(state.Layer1ReverseHidden.ToArray(), value => Assert.Equal(0.5f, value));
        Assert.All(gradients, value => Assert.Equal(0f, value));
        Assert.All(stateGradient.Layer0Hidden.ToArray(), value => Assert.Equal(1f, value));
        Assert.All(stateGradient.Layer0ReverseHidden.ToArray(), value => Assert.Equal(2f, value));
    }

    [Fact]
    public void LoadsOnlyBidirectionalModules()
    {
        var model = new Lstm8To32();
        var error = Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(Fixture.PathOf("bilstm_8_32.weights.safetensors")));
        Assert.Contains("weight_ih_l0_reverse", error.Message, StringComparison.Ordinal);
        Assert.Contains("Bidirectional = true", error.Message, StringComparison.Ordinal);

        var bidirectional = new BidirectionalLstm8To32();
        var missing = Assert.Throws<WeightFormatException>(() => bidirectional.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors")));
        Assert.Contains("weight_ih_l0_reverse", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SavePyTorchRoundTrips()
    {
        var model = new BidirectionalGruStackDense();
        model.LoadPyTorch(Fixture.PathOf("bigru_stack_dense.weights.safetensors"));
        SafeTensorsFile saved = SafeTensorsFile.Parse(BidirectionalGruStackDense.ToPyTorch(model.Parameters, PyTorchModuleNames.ModuleList(3)).ToArray());
        Assert.Contains("layers.1.weight_hh_l0_reverse", saved.Names);
        var reloaded = new BidirectionalGruStackDense();
        reloaded.LoadPyTorch(saved);
        Assert.Equal(model.Parameters.ToArray(), reloaded.Parameters.ToArray());
    }

    [Fact]
    public void BatchTrainerFitsABidirectionalModel()
    {
        // Each target is the sequence's first input feature, read at the last step: what the reverse direction saw last.
        const int count = 24, steps = 6;
        var model = new TrainingBidirectionalLstmDense();
        model.Initialize(InitializationScheme.PyTorch, seed: 3);
        float[] inputs = Training.FitData.Uniform(count, steps, TrainingBidirectionalLstmDense.InputSize, seed: 4);
        var targets = new float[count * TrainingBidirectionalLstmDense.OutputSize];
        for (int b = 0; b < count; b++)
        {
            targets.AsSpan(b * TrainingBidirectionalLstmDense.OutputSize, TrainingBidirectionalLstmDense.OutputSize).Fill(inputs[b * steps * TrainingBidirectionalLstmDense.InputSize]);
        }

        var trainer = new FixedRnn.Training.BatchTrainer<TrainingBidirectionalLstmDense, TrainingBidirectionalLstmDense.State, TrainingBidirectionalLstmDense.Trace>(
            model, new FixedRnn.Training.Adam(TrainingBidirectionalLstmDense.ParameterCount, learningRate: 0.02f), steps, maxBatchSize: 8);
        FixedRnn.Training.TrainingResult result = trainer.Fit(inputs, targets, new FixedRnn.Training.FitOptions { Epochs = 30, BatchSize = 8 });

        float first = result.History[0].TrainingLoss;
        float last = result.History[^1].TrainingLoss;
        Assert.True(float.IsFinite(last) && last < 0.5f * first, $"loss {first} → {last}");

        // Truncated BPTT over one long series needs Step's streaming; a bidirectional model is not one, so SequenceTrainer does not take it.
        Assert.False(typeof(IRecurrentModel<TrainingBidirectionalLstmDense.State>).IsAssignableFrom(typeof(TrainingBidirectionalLstmDense)));
        Assert.Null(typeof(TrainingBidirectionalLstmDense).GetMethod("Step"));
    }

    private void AssertParity<TModel, TState, TTrace>(string fixtureName)
        where TModel : ISequenceTrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var fixture = Fixture.Load(fixtureName);
        SafeTensorsFile weights = SafeTensorsFile.Read(fixture.WeightsPath);
        SafeTensorsFile expected = SafeTensorsFile.Read(Fixture.PathOf($"{fixtureName}.grads.safetensors"));
        var model = new TModel();
        string[] modules = PyTorchModuleNames.ModuleList(model.LayerCount);
        model.LoadPyTorch(weights, modules);

        var forwarded = new float[fixture.Outputs.Length];
        var state = default(TState);
        model.Forward(fixture.Inputs, ref state, forwarded);
        double forwardError = ParityAssert.MaxAbsError(fixture.Outputs, forwarded, Tolerance, $"{fixtureName} Forward");

        // Three streams of the same sequence through the batched Forward: each equal to the single-stream one, to the bit.
        var inputs = new float[3 * fixture.Inputs.Length];
        var batched = new float[3 * forwarded.Length];
        for (int b = 0; b < 3; b++)
        {
            fixture.Inputs.CopyTo(inputs, b * fixture.Inputs.Length);
        }

        model.Forward(inputs, new TState[3], batched);
        for (int b = 0; b < 3; b++)
        {
            Assert.Equal(forwarded, batched.AsSpan(b * forwarded.Length, forwarded.Length).ToArray());
        }

        TTrace trace = model.CreateTrace(fixture.Steps + 3);
        var recorded = new float[fixture.Outputs.Length];
        state = default;
        model.Forward(fixture.Inputs, ref state, recorded, trace);
        Assert.Equal(forwarded, recorded);

        var gradients = new float[model.Parameters.Length];
        var inputGradients = new float[fixture.Inputs.Length];
        var stateGradient = default(TState);
        model.Backward(trace, expected.ReadSingles("output_grad"), gradients, inputGradients, ref stateGradient);

        double worst = ParityAssert.GradientsClose(expected.ReadSingles("grad.input"), inputGradients, "input");
        SafeTensorsFile ours = SafeTensorsFile.Parse(TModel.ToPyTorch(gradients, modules).ToArray());
        foreach (string name in ours.Names)
        {
            float[] torch = expected.ReadSingles($"grad.{name}");
            float[] mine = ours.ReadSingles(name);
            if (name.Contains("bias_hh", StringComparison.Ordinal))
            {
                ParityAssert.UnfoldBiasGradient(mine, expected.ReadSingles($"grad.{name.Replace("bias_hh", "bias_ih", StringComparison.Ordinal)}"));
            }

            worst = Math.Max(worst, ParityAssert.GradientsClose(torch, mine, name));
        }

        int compared = 0;
        foreach (string name in expected.Names)
        {
            if (!name.StartsWith("grad.initial_", StringComparison.Ordinal))
            {
                continue;
            }

            // grad.initial_{hidden|cell}_[reverse_]{k} (or _{k}_reverse, as the projection fixtures spell it): the State
            // member Layer{k}[Reverse]{Hidden|Cell}.
            string[] parts = name["grad.initial_".Length..].Split('_');
            bool reverse = Array.IndexOf(parts, "reverse") >= 0;
            string layer = Array.Find(parts, part => part.Length > 0 && char.IsAsciiDigit(part[0]))!;
            string member = $"Layer{layer}{(reverse ? "Reverse" : string.Empty)}{(parts[0] == "hidden" ? "Hidden" : "Cell")}";
            float[] mine = StateVector<TState>.Named(member).Of(ref stateGradient).ToArray();
            worst = Math.Max(worst, ParityAssert.GradientsClose(expected.ReadSingles(name), mine, name));
            compared++;
        }

        Assert.True(compared >= 2, "the fixture has initial-state gradients of both directions");
        output.WriteLine($"{fixtureName}: T = {fixture.Steps}, Forward max abs error {forwardError:E2}, worst relative gradient error {worst:E2} ({SimdPath.Describe()})");
    }
}
