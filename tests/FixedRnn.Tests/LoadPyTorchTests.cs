using System;
using System.Buffers.Binary;
using System.Text;
using FixedRnn.Interop;
using Xunit;

namespace FixedRnn.Tests;

/// <summary>Loading fails loudly, names the tensor and its expected shape, and leaves the model unchanged.</summary>
public sealed class LoadPyTorchTests
{
    [Fact]
    public void MissingTensorNamesKeyAndShape()
    {
        SafeTensorsFile file = Without(Fixture.PathOf("lstm_8_32.weights.safetensors"), "layers.0.bias_hh_l0");

        WeightFormatException exception = AssertLoadFails(file);

        Assert.Equal("layers.0.bias_hh_l0", exception.TensorName);
        Assert.Contains("'layers.0.bias_hh_l0' or 'layers.0.bias_hh'", exception.Message);
        Assert.Contains("[128]", exception.Message);
    }

    [Fact]
    public void PeepholeLayerFromAPlainLstmSaysPyTorchHasNone()
    {
        SafeTensorsFile file = Without(Fixture.PathOf("lstm_ph_8_40.weights.safetensors"), "layers.0.weight_peephole_l0");

        var exception = Assert.Throws<WeightFormatException>(() => new PeepholeLstm8To40().LoadPyTorch(file));

        Assert.Equal("layers.0.weight_peephole_l0", exception.TensorName);
        Assert.Contains("nn.LSTM has no peepholes", exception.Message, StringComparison.Ordinal);
        Assert.Contains("OnnxWeights", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeepholeLayerRoundTripsThroughSavePyTorch()
    {
        var model = new PeepholeLstm8To40();
        model.LoadPyTorch(Fixture.PathOf("lstm_ph_8_40.weights.safetensors"));
        var copy = new PeepholeLstm8To40();
        copy.LoadPyTorch(SafeTensorsFile.Parse(PeepholeLstm8To40.ToPyTorch(model.Parameters, PyTorchModuleNames.ModuleList(1)).ToArray()));
        Assert.Equal(model.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void WrongShapeNamesKeyAndBothShapes()
    {
        SafeTensorsFile original = SafeTensorsFile.Read(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        var writer = new SafeTensorsWriter();
        foreach (string name in original.Names)
        {
            // Transposing weight_ih is a common export mistake.
            long[] shape = name == "layers.0.weight_ih_l0" ? [8, 128] : ShapeOf(original, name);
            writer.Add(name, original.ReadSingles(name), shape);
        }

        WeightFormatException exception = AssertLoadFails(SafeTensorsFile.Parse(writer.ToArray()));

        Assert.Equal("layers.0.weight_ih_l0", exception.TensorName);
        Assert.Contains("has shape [8, 128]; expected [128, 8]", exception.Message);
    }

    [Fact]
    public void IntegerTensorIsRejected()
    {
        // A one-tensor file holding an I32 bias where a float one is expected, built by hand.
        string header = "{\"layers.0.bias_hh_l0\":{\"dtype\":\"I32\",\"shape\":[128],\"data_offsets\":[0,512]}}";
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        byte[] bytes = new byte[8 + headerBytes.Length + 512];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);

        SafeTensorsFile original = SafeTensorsFile.Read(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        SafeTensorsFile integers = SafeTensorsFile.Parse(bytes);
        var model = new Lstm8To32();
        model.LoadPyTorch(original, "layers.0");
        float[] before = model.Parameters.ToArray();

        var exception = Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(Merge(original, integers)));

        Assert.Equal("layers.0.bias_hh_l0", exception.TensorName);
        Assert.Contains("I32", exception.Message);
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void WrongModuleCountIsAnArgumentError()
    {
        var model = new Lstm8To32();
        var exception = Assert.Throws<ArgumentException>(() => model.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors"), "layers.0", "layers.1"));
        Assert.Equal("modules", exception.ParamName);
    }

    [Fact]
    public void ParametersPaddingStaysZero()
    {
        var model = new LstmCell3To13();
        model.LoadPyTorch(Fixture.PathOf("lstm_cell_3_13.weights.safetensors"));

        // 13 units occupy two 8-lane blocks: 13 real lanes, 3 padding lanes per gate and row.
        int nonZero = 0;
        foreach (float value in model.Parameters)
        {
            nonZero += value != 0 ? 1 : 0;
        }

        int realParameters = (4 * 13 * (3 + 13)) + (4 * 13);
        Assert.Equal(realParameters, nonZero);
    }

    [Fact]
    public void ProjectionSizeIsRejectedByName()
    {
        SafeTensorsFile file = With(Fixture.PathOf("lstm_8_32.weights.safetensors"), "layers.0.weight_hr_l0", new float[32 * 16], 16, 32);

        WeightFormatException exception = AssertLoadFails(file);

        Assert.Equal("layers.0.weight_hr_l0", exception.TensorName);
        Assert.Contains("proj_size", exception.Message);
    }

    [Fact]
    public void BidirectionalModuleIsRejectedByName()
    {
        SafeTensorsFile file = With(Fixture.PathOf("lstm_8_32.weights.safetensors"), "layers.0.weight_ih_l0_reverse", new float[128 * 8], 128, 8);

        WeightFormatException exception = AssertLoadFails(file);

        Assert.Equal("layers.0.weight_ih_l0_reverse", exception.TensorName);
        Assert.Contains("bidirectional", exception.Message);
    }

    [Fact]
    public void OneMissingBiasIsStillAnError()
    {
        // bias=False drops both biases; a file with only one of them is damaged, not bias-free.
        SafeTensorsFile file = Without(Fixture.PathOf("lstm_8_32.weights.safetensors"), "layers.0.bias_ih_l0");

        Assert.Equal("layers.0.bias_ih_l0", AssertLoadFails(file).TensorName);
    }

    private static SafeTensorsFile With(string path, string added, float[] values, params long[] shape)
    {
        SafeTensorsFile original = SafeTensorsFile.Read(path);
        var writer = new SafeTensorsWriter();
        foreach (string name in original.Names)
        {
            writer.Add(name, original.ReadSingles(name), ShapeOf(original, name));
        }

        writer.Add(added, values, shape);
        return SafeTensorsFile.Parse(writer.ToArray());
    }

    private static WeightFormatException AssertLoadFails(SafeTensorsFile file)
    {
        var model = new Lstm8To32();
        model.LoadPyTorch(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        float[] before = model.Parameters.ToArray();

        var exception = Assert.Throws<WeightFormatException>(() => model.LoadPyTorch(file));

        Assert.Equal(before, model.Parameters.ToArray());
        return exception;
    }

    private static SafeTensorsFile Without(string path, string removed)
    {
        SafeTensorsFile original = SafeTensorsFile.Read(path);
        var writer = new SafeTensorsWriter();
        foreach (string name in original.Names)
        {
            if (name != removed)
            {
                writer.Add(name, original.ReadSingles(name), ShapeOf(original, name));
            }
        }

        return SafeTensorsFile.Parse(writer.ToArray());
    }

    /// <summary>Rebuilds <paramref name="floats"/> with <paramref name="replacements"/>' tensors swapped in, keeping their dtypes.</summary>
    private static SafeTensorsFile Merge(SafeTensorsFile floats, SafeTensorsFile replacements)
    {
        var header = new StringBuilder("{");
        var data = new System.IO.MemoryStream();
        foreach (SafeTensorsFile file in new[] { floats, replacements })
        {
            foreach (SafeTensorInfo info in file.Tensors)
            {
                if (file == floats && replacements.TryGetInfo(info.Name, out _))
                {
                    continue;
                }

                long begin = data.Length;
                data.Write(file.GetBytes(info.Name).Span);
                header.Append(header.Length > 1 ? "," : string.Empty)
                    .Append($"\"{info.Name}\":{{\"dtype\":\"{info.DType.GetHeaderName()}\",\"shape\":[{string.Join(",", info.Shape)}],\"data_offsets\":[{begin},{data.Length}]}}");
            }
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.Append('}').ToString());
        byte[] bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.ToArray().CopyTo(bytes, 8 + headerBytes.Length);
        return SafeTensorsFile.Parse(bytes);
    }

    private static long[] ShapeOf(SafeTensorsFile file, string name)
    {
        var shape = new long[file.GetInfo(name).Shape.Count];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = file.GetInfo(name).Shape[d];
        }

        return shape;
    }
}
