using FixedRnn.Interop;
using FixedRnn.Training;
using Xunit;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// The generated two-line loads: <c>LoadKeras(path)</c> with Keras' default layer names and
/// <c>LoadOnnx(path)</c>, each reproducing its reference's outputs, and the generated layer
/// descriptions agreeing with the ones the importer tests write by hand.
/// </summary>
public sealed class GeneratedImportTests
{
    [Fact]
    public void LoadKerasReproducesKeras()
    {
        var model = new KerasStack();
        model.LoadKeras(Fixture.PathOf("keras/keras_stack.keras.safetensors"));

        AssertReproduces(model, Fixture.PathOf("keras/keras_stack.io.safetensors"));
    }

    [Fact]
    public void LoadOnnxReproducesPyTorch()
    {
        var model = new OnnxLstm4To12();
        model.LoadOnnx(OnnxFixtures.PathOf("lstm_4_12.onnx"));

        AssertReproduces(model, OnnxFixtures.PathOf("lstm_4_12.io.safetensors"));
    }

    [Fact]
    public void GeneratedLayerDescriptionsMatchTheDeclarations()
    {
        Assert.Equal(KerasModelLayers.Lstm, KerasLstm.LayerDescriptions.ToArray());
        Assert.Equal(OnnxFixtures.Lstm4To12, OnnxLstm4To12.LayerDescriptions.ToArray());
        Assert.Equal([new LayerDescription(LayerKind.Gru, 3, 7, ResetAfter: false), new LayerDescription(LayerKind.Dense, 7, 4, Activation: LayerActivation.Relu)], KerasGruBefore.LayerDescriptions.ToArray());
    }

    private static void AssertReproduces<TState>(IRecurrentModel<TState> model, string ioPath)
        where TState : struct
    {
        SafeTensorsFile io = SafeTensorsFile.Read(ioPath);
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");
        var outputs = new float[expected.Length];
        var state = default(TState);
        model.Forward(inputs, ref state, outputs);
        ParityAssert.MaxAbsError(expected, outputs, 1e-5, ioPath);
    }
}
