using System;
using System.Linq;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Tests;

/// <summary>
/// FixedRnn's outputs against PyTorch's, from the committed fixtures (Fixtures/make_fixtures.py). The
/// reset-before GRU references are computed by the script in float64, as PyTorch has no such cell.
/// </summary>
public sealed class PyTorchParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;
    private const double WideTolerance = 1e-4; // H ≥ 256: longer dot products accumulate more rounding.

    [Fact] public void Lstm8To32() => AssertParity<Lstm8To32, Lstm8To32.State>("lstm_8_32", Tolerance);

    [Fact] public void LstmCell3To13() => AssertParity<LstmCell3To13, LstmCell3To13.State>("lstm_cell_3_13", Tolerance);

    [Fact] public void Gru5To37() => AssertParity<Gru5To37, Gru5To37.State>("gru_5_37", Tolerance);

    [Fact] public void GruCell1To1() => AssertParity<GruCell1To1, GruCell1To1.State>("gru_cell_1_1", Tolerance);

    [Fact] public void RnnTanh4To50() => AssertParity<RnnTanh4To50, RnnTanh4To50.State>("rnn_tanh_4_50", Tolerance);

    [Fact] public void RnnReluCell4To3() => AssertParity<RnnReluCell4To3, RnnReluCell4To3.State>("rnn_relu_cell_4_3", Tolerance);

    [Fact] public void StackedGruWithDense() => AssertParity<StackedGruDense, StackedGruDense.State>("stack_gru_dense", Tolerance);

    [Fact] public void MixedStackWithSigmoidHead() => AssertParity<MixedStack, MixedStack.State>("stack_mixed", Tolerance);

    [Fact] public void ReluRnnWithReluHead() => AssertParity<ReluDenseHead, ReluDenseHead.State>("dense_relu_head", Tolerance);

    [Fact] public void Lstm1To128() => AssertParity<Lstm1To128, Lstm1To128.State>("lstm_1_128", Tolerance);

    [Fact] public void Gru16To256() => AssertParity<Gru16To256, Gru16To256.State>("gru_16_256", WideTolerance);

    [Fact] public void ResetBeforeGru5To37() => AssertParity<ResetBeforeGru5To37, ResetBeforeGru5To37.State>("gru_rb_5_37", Tolerance);

    [Fact] public void ResetBeforeGru8To130() => AssertParity<ResetBeforeGru8To130, ResetBeforeGru8To130.State>("gru_rb_8_130", Tolerance);

    [Fact] public void ResetBeforeGruWithDense() => AssertParity<ResetBeforeGruDense, ResetBeforeGruDense.State>("gru_rb_stack_dense", Tolerance);

    [Fact] public void PeepholeLstm8To40() => AssertParity<PeepholeLstm8To40, PeepholeLstm8To40.State>("lstm_ph_8_40", Tolerance);

    [Fact] public void PeepholeLstmStackWithDense() => AssertParity<PeepholeLstmStackDense, PeepholeLstmStackDense.State>("lstm_ph_stack_dense", Tolerance);

    [Fact] public void ProjectedLstm8To40() => AssertParity<ProjectedLstm8To40, ProjectedLstm8To40.State>("lstm_proj_8_40_12", Tolerance);

    [Fact] public void ProjectedLstmStackWithDense() => AssertParity<ProjectedLstmStackDense, ProjectedLstmStackDense.State>("lstm_proj_stack_dense", Tolerance);

    [Fact] public void BiasFreeModules() => AssertParity<NoBiasStack, NoBiasStack.State>("nobias_stack", Tolerance);

    [Fact]
    public void MultiLayerModuleMappedByName()
        => AssertParity<TwoLayerLstmWithHead, TwoLayerLstmWithHead.State>("lstm_multi", Tolerance, "lstm", "lstm", "fc");

    [Fact]
    public void FinalStatesMatchPyTorch()
    {
        var fixture = Fixture.Load("lstm_multi");
        var model = new TwoLayerLstmWithHead();
        model.LoadPyTorch(fixture.WeightsPath, "lstm", "lstm", "fc");
        var state = default(TwoLayerLstmWithHead.State);
        model.Forward(fixture.Inputs, ref state, new float[fixture.Steps * TwoLayerLstmWithHead.OutputSize]);

        ParityAssert.MaxAbsError(fixture.FinalHidden(0), state.Layer0Hidden, Tolerance, "h of layer 0");
        ParityAssert.MaxAbsError(fixture.FinalCell(0), state.Layer0Cell, Tolerance, "c of layer 0");
        ParityAssert.MaxAbsError(fixture.FinalHidden(1), state.Layer1Hidden, Tolerance, "h of layer 1");
        ParityAssert.MaxAbsError(fixture.FinalCell(1), state.Layer1Cell, Tolerance, "c of layer 1");
    }

    private void AssertParity<TModel, TState>(string fixtureName, double tolerance, params string[] modules)
        where TModel : IRecurrentModel<TState>, new()
        where TState : struct
    {
        var fixture = Fixture.Load(fixtureName);
        var model = new TModel();
        SafeTensorsFile weights = SafeTensorsFile.Read(fixture.WeightsPath);
        if (modules.Length == 0)
        {
            modules = DefaultModules(weights);
        }

        model.LoadPyTorch(weights, modules);

        // Step by step.
        var stepped = new float[fixture.Outputs.Length];
        var state = default(TState);
        for (int t = 0; t < fixture.Steps; t++)
        {
            model.Step(
                fixture.Inputs.AsSpan(t * model.InputSize, model.InputSize),
                ref state,
                stepped.AsSpan(t * model.OutputSize, model.OutputSize));
        }

        double stepError = ParityAssert.MaxAbsError(fixture.Outputs, stepped, tolerance, $"{fixtureName} Step");

        // The whole sequence at once.
        var forwarded = new float[fixture.Outputs.Length];
        state = default;
        model.Forward(fixture.Inputs, ref state, forwarded);
        double forwardError = ParityAssert.MaxAbsError(fixture.Outputs, forwarded, tolerance, $"{fixtureName} Forward");

        output.WriteLine($"{fixtureName}: T = {fixture.Steps}, max abs error Step {stepError:E2}, Forward {forwardError:E2} (SIMD path: {SimdPath.Describe()})");
    }

    /// <summary>The default <c>layers.{k}</c> names, one per layer the weights file holds.</summary>
    private static string[] DefaultModules(SafeTensorsFile weights)
    {
        int layers = 0;
        while (weights.Names.Any(name => name.StartsWith($"layers.{layers}.", StringComparison.Ordinal)))
        {
            layers++;
        }

        var modules = new string[layers];
        for (int k = 0; k < layers; k++)
        {
            modules[k] = $"layers.{k}";
        }

        return modules;
    }
}
