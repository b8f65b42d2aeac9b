using System;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests;

/// <summary>
/// Backward against PyTorch autograd, from the committed fixtures: with L = Σ outputs · G, the gradients
/// of every parameter, of the inputs and of the initial state (Fixtures/make_fixtures.py; reset-before
/// GRU through float64 autograd).
/// </summary>
public sealed class GradientParityTests(ITestOutputHelper output)
{

    [Fact] public void Lstm8To32() => AssertGradients<Lstm8To32, Lstm8To32.State, Lstm8To32.Trace>("lstm_8_32");

    [Fact] public void LstmCell3To13() => AssertGradients<LstmCell3To13, LstmCell3To13.State, LstmCell3To13.Trace>("lstm_cell_3_13");

    [Fact] public void Gru5To37() => AssertGradients<Gru5To37, Gru5To37.State, Gru5To37.Trace>("gru_5_37");

    [Fact] public void GruCell1To1() => AssertGradients<GruCell1To1, GruCell1To1.State, GruCell1To1.Trace>("gru_cell_1_1");

    [Fact] public void RnnTanh4To50() => AssertGradients<RnnTanh4To50, RnnTanh4To50.State, RnnTanh4To50.Trace>("rnn_tanh_4_50");

    [Fact] public void RnnReluCell4To3() => AssertGradients<RnnReluCell4To3, RnnReluCell4To3.State, RnnReluCell4To3.Trace>("rnn_relu_cell_4_3");

    [Fact] public void StackedGruWithDense() => AssertGradients<StackedGruDense, StackedGruDense.State, StackedGruDense.Trace>("stack_gru_dense");

    [Fact] public void MixedStackWithSigmoidHead() => AssertGradients<MixedStack, MixedStack.State, MixedStack.Trace>("stack_mixed");

    [Fact] public void ReluRnnWithReluHead() => AssertGradients<ReluDenseHead, ReluDenseHead.State, ReluDenseHead.Trace>("dense_relu_head");

    [Fact] public void Lstm1To128() => AssertGradients<Lstm1To128, Lstm1To128.State, Lstm1To128.Trace>("lstm_1_128");

    [Fact] public void Gru16To256() => AssertGradients<Gru16To256, Gru16To256.State, Gru16To256.Trace>("gru_16_256");

    [Fact] public void ResetBeforeGru5To37() => AssertGradients<ResetBeforeGru5To37, ResetBeforeGru5To37.State, ResetBeforeGru5To37.Trace>("gru_rb_5_37");

    [Fact] public void ResetBeforeGru8To130() => AssertGradients<ResetBeforeGru8To130, ResetBeforeGru8To130.State, ResetBeforeGru8To130.Trace>("gru_rb_8_130");

    [Fact] public void ResetBeforeGruWithDense() => AssertGradients<ResetBeforeGruDense, ResetBeforeGruDense.State, ResetBeforeGruDense.Trace>("gru_rb_stack_dense");

    [Fact] public void PeepholeLstm8To40() => AssertGradients<PeepholeLstm8To40, PeepholeLstm8To40.State, PeepholeLstm8To40.Trace>("lstm_ph_8_40");

    [Fact] public void PeepholeLstmStackWithDense() => AssertGradients<PeepholeLstmStackDense, PeepholeLstmStackDense.State, PeepholeLstmStackDense.Trace>("lstm_ph_stack_dense");

    [Fact] public void ProjectedLstm8To40() => AssertGradients<ProjectedLstm8To40, ProjectedLstm8To40.State, ProjectedLstm8To40.Trace>("lstm_proj_8_40_12");

    [Fact] public void ProjectedLstmStackWithDense() => AssertGradients<ProjectedLstmStackDense, ProjectedLstmStackDense.State, ProjectedLstmStackDense.Trace>("lstm_proj_stack_dense");

    [Fact] public void BiasFreeModules() => AssertGradients<NoBiasStack, NoBiasStack.State, NoBiasStack.Trace>("nobias_stack");

    [Fact] public void MultiLayerModule() => AssertGradients<TwoLayerLstmWithHead, TwoLayerLstmWithHead.State, TwoLayerLstmWithHead.Trace>("lstm_multi", "lstm", "lstm", "fc");

    private void AssertGradients<TModel, TState, TTrace>(string fixtureName, params string[] modules)
        where TModel : ITrainableModel<TState, TTrace>, new()
        where TState : struct
        where TTrace : class
    {
        var fixture = Fixture.Load(fixtureName);
        SafeTensorsFile weights = SafeTensorsFile.Read(fixture.WeightsPath);
        SafeTensorsFile expected = SafeTensorsFile.Read(Fixture.PathOf($"{fixtureName}.grads.safetensors"));
        var model = new TModel();
        modules = modules.Length > 0 ? modules : PyTorchModuleNames.ModuleList(model.LayerCount);
        model.LoadPyTorch(weights, modules);

        TTrace trace = model.CreateTrace(fixture.Steps);
        var outputs = new float[fixture.Outputs.Length];
        var state = default(TState);
        model.Forward(fixture.Inputs, ref state, outputs, trace);
        ParityAssert.MaxAbsError(fixture.Outputs, outputs, 1e-5, $"{fixtureName} recording Forward");

        var gradients = new float[model.Parameters.Length];
        var inputGradients = new float[fixture.Inputs.Length];
        var stateGradient = default(TState);
        model.Backward(trace, expected.ReadSingles("output_grad"), gradients, inputGradients, ref stateGradient);

        double worst = ParityAssert.GradientsClose(expected.ReadSingles("grad.input"), inputGradients, "input");
        SafeTensorsFile ours = SafeTensorsFile.Parse(TModel.ToPyTorch(gradients, modules).ToArray());
        foreach (string name in ours.Names)
        {
            string key = FixtureKey(expected, name);
            if (!expected.TryGetInfo(key, out _) && !weights.TryGetInfo(key["grad.".Length..], out _))
            {
                // A module built with bias=False has neither the bias nor its gradient: nothing to compare.
                Assert.Contains(".bias", name, StringComparison.Ordinal);
                continue;
            }

            float[] torch = expected.ReadSingles(FixtureKey(expected, name));
            float[] mine = ours.ReadSingles(name);
            if (name.Contains("bias_hh", StringComparison.Ordinal))
            {
                ParityAssert.UnfoldBiasGradient(mine, expected.ReadSingles(FixtureKey(expected, name.Replace("bias_hh", "bias_ih", StringComparison.Ordinal))));
            }

            worst = Math.Max(worst, ParityAssert.GradientsClose(torch, mine, name));
        }

        // Dense is last, so recurrent layer k of the fixture is the model's layer k.
        for (int layer = 0; expected.TryGetInfo($"grad.initial_hidden_{layer}", out _); layer++)
        {
            worst = Math.Max(worst, ParityAssert.GradientsClose(expected.ReadSingles($"grad.initial_hidden_{layer}"), model.GetHiddenState(ref stateGradient, layer).ToArray(), $"initial h of layer {layer}"));
            if (expected.TryGetInfo($"grad.initial_cell_{layer}", out _))
            {
                worst = Math.Max(worst, ParityAssert.GradientsClose(expected.ReadSingles($"grad.initial_cell_{layer}"), CellStates.Of(model, ref stateGradient, layer).ToArray(), $"initial c of layer {layer}"));
            }
        }

        output.WriteLine($"{fixtureName}: worst relative gradient error {worst:E2} over parameters, inputs and initial state ({SimdPath.Describe()})");
    }

    /// <summary>The fixture's key for an exported name: the <c>*Cell</c> modules have no <c>_l0</c> suffix.</summary>
    private static string FixtureKey(SafeTensorsFile expected, string exported)
        => expected.TryGetInfo($"grad.{exported}", out _) || !exported.Contains("_l", StringComparison.Ordinal)
            ? $"grad.{exported}"
            : $"grad.{exported[..exported.LastIndexOf("_l", StringComparison.Ordinal)]}";
}
