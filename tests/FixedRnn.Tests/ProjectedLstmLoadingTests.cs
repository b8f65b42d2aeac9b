using System;
using System.Linq;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>
/// An LSTM with projection (PyTorch's <c>proj_size</c>) loads exactly the <c>nn.LSTM(proj_size=P)</c> it declares:
/// its tensors round-trip, and a file of another projection, or of none, is refused with the declaration that fits it.
/// </summary>
public sealed class ProjectedLstmLoadingTests
{
    [Fact]
    public void SavePyTorchWritesPyTorchsNamesAndShapesAndLoadsBackBitForBit()
    {
        SafeTensorsFile fixture = SafeTensorsFile.Read(Fixture.PathOf("lstm_proj_stack_dense.weights.safetensors"));
        var model = new ProjectedLstmStackDense();
        model.LoadPyTorch(fixture);

        SafeTensorsFile saved = SafeTensorsFile.Parse(ProjectedLstmStackDense.ToPyTorch(model.Parameters, PyTorchModuleNames.ModuleList(3)).ToArray());
        Assert.Equal(fixture.Names.Order(), saved.Names.Order());
        foreach (string name in fixture.Names)
        {
            Assert.Equal(fixture.GetInfo(name).Shape, saved.GetInfo(name).Shape);
        }

        // Folded biases come back as bias_ih with bias_hh zero; every weight, W_hr included, comes back as it was.
        foreach (string name in fixture.Names.Where(name => name.Contains("weight", StringComparison.Ordinal)))
        {
            Assert.Equal(fixture.ReadSingles(name), saved.ReadSingles(name));
        }

        var copy = new ProjectedLstmStackDense();
        copy.LoadPyTorch(saved);
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void AnotherProjectionSizeNamesTheDeclarationThatFits()
    {
        WeightFormatException exception = AssertRefused(new Projected8To40By10(), "lstm_proj_8_40_12");

        Assert.Equal("layers.0.weight_hr_l0", exception.TensorName);
        Assert.Contains("proj_size 12 and hidden size 40", exception.Message, StringComparison.Ordinal);
        Assert.Contains("LSTM (projection) 8 → 40 → 10", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[Lstm(40, ProjectionSize = 12)]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProjectedFileIntoAPlainLstmNamesTheDeclarationThatFits()
    {
        WeightFormatException exception = AssertRefused(new Plain8To40(), "lstm_proj_8_40_12");

        Assert.Equal("layers.0.weight_hr_l0", exception.TensorName);
        Assert.Contains("[Lstm(40, ProjectionSize = 12)]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APlainFileIntoAProjectedLstmSaysItHasNoProjection()
    {
        WeightFormatException exception = AssertRefused(new Projected8To32By16(), "lstm_8_32");

        Assert.Equal("layers.0.weight_hr_l0", exception.TensorName);
        Assert.Contains("no projection", exception.Message, StringComparison.Ordinal);
        Assert.Contains("[Lstm(32)]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModulesUnderOtherNamesAreFoundBySize()
    {
        var model = new ProjectedLstmStackDense();
        model.LoadPyTorch(Fixture.PathOf("lstm_proj_stack_dense.weights.safetensors"));
        SafeTensorsFile renamed = SafeTensorsFile.Parse(ProjectedLstmStackDense.ToPyTorch(model.Parameters, "rnn", "rnn", "head").ToArray());

        var exception = Assert.Throws<WeightFormatException>(() => new ProjectedLstmStackDense().LoadPyTorch(renamed));

        Assert.Contains("rnn: LSTM, 2 layers, input 3, hidden 20/13, proj_size 9/5", exception.Message, StringComparison.Ordinal);
        Assert.Contains("model.LoadPyTorch(path, \"rnn\", \"rnn\", \"head\")", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(InitializationScheme.PyTorch)]
    [InlineData(InitializationScheme.Keras)]
    public void InitializeDrawsEveryTensorReproducibly(InitializationScheme scheme)
    {
        var model = new ProjectedLstm8To40();
        model.Initialize(scheme, seed: 21);
        var again = new ProjectedLstm8To40();
        again.Initialize(scheme, seed: 21);
        Assert.Equal(model.Parameters.ToArray(), again.Parameters.ToArray());

        SafeTensorsFile tensors = SafeTensorsFile.Parse(ProjectedLstm8To40.ToPyTorch(model.Parameters, "layers.0").ToArray());
        float[] projection = tensors.ReadSingles("layers.0.weight_hr_l0");
        Assert.Equal(12 * 40, projection.Length);

        // PyTorch's reset_parameters draws every tensor, weight_hr included, uniform in ±1/√hidden_size; Keras has no
        // projection, and FixedRnn draws it Glorot-uniform over H → P.
        double bound = scheme == InitializationScheme.PyTorch ? 1 / Math.Sqrt(40) : Math.Sqrt(6.0 / (40 + 12));
        Assert.All(projection, value => Assert.InRange(Math.Abs(value), 0, bound));
        Assert.True(projection.Max(Math.Abs) > 0.9 * bound, "the draws should reach near the bound");
        Assert.Equal([160, 12], tensors.GetInfo("layers.0.weight_hh_l0").Shape);
    }

    /// <summary>Loading the fixture's weights into <paramref name="model"/> fails and leaves its parameters as they were.</summary>
    private static WeightFormatException AssertRefused<TState>(IRecurrentModel<TState> model, string fixture)
        where TState : struct
    {
        model.Parameters.Fill(0.25f);
        SafeTensorsFile file = SafeTensorsFile.Read(Fixture.PathOf($"{fixture}.weights.safetensors"));

        var exception = Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(file, "layers.0"));

        Assert.All(model.Parameters.ToArray(), value => Assert.Equal(0.25f, value));
        return exception;
    }
}
