using System;
using FixedRnn.Interop;
using FixedRnn.Numerics;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// The training and packing APIs reject wrong lengths, mismatched step counts and nulls with an
/// exception naming the parameter, before touching memory.
/// </summary>
public sealed class TrainingGuardTests
{
    private readonly StackedGruDense _model = NewModel();

    [Fact]
    public void RecordingForwardRejectsBadShapes()
    {
        var trace = new StackedGruDense.Trace(4);
        var state = default(StackedGruDense.State);
        AssertParameter("inputs", () => _model.Forward(new float[7], ref state, new float[2], trace));
        AssertParameter("outputs", () => _model.Forward(new float[12], ref state, new float[2], trace));
        AssertParameter("trace", () => _model.Forward(new float[30], ref state, new float[10], trace));
        Assert.Equal("trace", Assert.Throws<ArgumentNullException>(() => _model.Forward(new float[6], ref state, new float[2], null!)).ParamName);
        Assert.Equal(0, trace.Steps);
    }

    [Fact]
    public void BackwardRejectsBadShapesWithoutWriting()
    {
        var trace = new StackedGruDense.Trace(4);
        var state = default(StackedGruDense.State);
        _model.Forward(new float[3 * StackedGruDense.InputSize], ref state, new float[3 * StackedGruDense.OutputSize], trace);
        var gradients = new float[StackedGruDense.ParameterCount];
        gradients.AsSpan().Fill(float.NaN);
        var stateGradient = default(StackedGruDense.State);

        AssertParameter("outputGradients", () => _model.Backward(trace, new float[4], gradients, Span<float>.Empty, ref stateGradient));
        AssertParameter("parameterGradients", () => _model.Backward(trace, new float[6], new float[3], Span<float>.Empty, ref stateGradient));
        AssertParameter("inputGradients", () => _model.Backward(trace, new float[6], gradients, new float[5], ref stateGradient));
        Assert.Equal("trace", Assert.Throws<ArgumentNullException>(() => _model.Backward(null!, new float[6], gradients, Span<float>.Empty, ref stateGradient)).ParamName);

        Assert.All(gradients, value => Assert.True(float.IsNaN(value)));
        Assert.All(stateGradient.Layer0Hidden.ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void TraceAndStateAccessorsRejectBadArguments()
    {
        Assert.Equal("maxSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new StackedGruDense.Trace(0)).ParamName);
        var state = default(StackedGruDense.State);
        Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => _model.GetHiddenState(ref state, 2)).ParamName);
        Assert.False(_model is ICellStateModel<StackedGruDense.State>, "A model without an LSTM layer has no cell state to expose.");
        var mixed = new MixedStack();
        var mixedState = default(MixedStack.State);
        Assert.Equal("layer", Assert.Throws<ArgumentOutOfRangeException>(() => mixed.GetCellState(ref mixedState, 1)).ParamName);
    }

    [Fact]
    public void ExportAndLoadRejectBadArguments()
    {
        AssertParameter("packed", () => StackedGruDense.ToPyTorch(new float[3], PyTorchModuleNames.ModuleList(3)));
        AssertParameter("modules", () => StackedGruDense.ToPyTorch(_model.Parameters, "a", "b"));
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => _model.LoadPyTorch((string)null!)).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentNullException>(() => _model.LoadPyTorch((SafeTensorsFile)null!)).ParamName);
    }

    [Fact]
    public void TrainerRejectsMismatchedWindows()
    {
        var trainer = new SequenceTrainer<StackedGruDense, StackedGruDense.State, StackedGruDense.Trace>(_model, new Adam(StackedGruDense.ParameterCount), maxWindowLength: 4);
        float[] before = _model.Parameters.ToArray();
        var state = default(StackedGruDense.State);

        AssertParameter("inputs", () => trainer.TrainWindow(new float[7], new float[2], ref state, Losses.MeanSquaredError));
        AssertParameter("inputs", () => trainer.TrainWindow(new float[30], new float[10], ref state, Losses.MeanSquaredError));
        AssertParameter("targets", () => trainer.TrainWindow(new float[12], new float[3], ref state, Losses.MeanSquaredError));
        AssertParameter("targets", () => trainer.Fit(new float[12], new float[3], new TrainerOptions()));
        AssertParameter("optimizer", () => new SequenceTrainer<StackedGruDense, StackedGruDense.State, StackedGruDense.Trace>(_model, new Adam(3), 4));
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => new SequenceTrainer<StackedGruDense, StackedGruDense.State, StackedGruDense.Trace>(null!, new Adam(3), 4)).ParamName);

        Assert.Equal(before, _model.Parameters.ToArray());
    }

    [Fact]
    public void PackingRejectsWrongLengths()
    {
        AssertParameter("destination", () => PackedLayout.PackGates(new float[24], hidden: 3, columns: 2, [0, 1, 2, 3], new float[10]));
        AssertParameter("weight", () => PackedLayout.PackGates(new float[6], hidden: 3, columns: 2, [0, 1], new float[32]));
        AssertParameter("packed", () => PackedLayout.UnpackGates(new float[10], hidden: 3, columns: 2, [0], new float[6]));
        AssertParameter("destination", () => PackedLayout.AddBias(new float[3], hidden: 3, sourceGate: 0, slot: 0, slots: 1, new float[7]));
        AssertParameter("destination", () => Saturation.Clamp(new float[4], new float[3]));
        AssertParameter("modules", () => new PyTorchModuleNames(["a"], expectedLayers: 2));
    }

    private static void AssertParameter(string parameter, Action call)
        => Assert.Equal(parameter, Assert.ThrowsAny<ArgumentException>(call).ParamName);

    private static StackedGruDense NewModel()
    {
        var model = new StackedGruDense();
        model.LoadPyTorch(Fixture.PathOf("stack_gru_dense.weights.safetensors"));
        return model;
    }
}
