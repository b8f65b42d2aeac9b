using System;
using System.IO;
using System.Linq;
using FixedRnn.Interop;
using Xunit;
using Xunit.Abstractions;
using static FixedRnn.Tests.Interop.TorchArchives;

namespace FixedRnn.Tests.Interop;

/// <summary>
/// torch.save files read directly (<see cref="PyTorchFile"/>): the fixtures of Fixtures/pytorch/make_pytorch_files.py
/// reproduce PyTorch's outputs; strict loading, errors that say what the file holds and what to call; legacy,
/// TorchScript and whole-module pickles refused by name; hostile archives and pickles refused without executing anything.
/// </summary>
public sealed class PyTorchFileTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    // ---------------------------------------------------------------- files that load

    [Fact]
    public void TorchSaveOfAStateDictReproducesPyTorch()
    {
        var model = new NetLstm2Head();
        model.LoadPyTorch(PathOf("net_lstm2_head.pt"), "rnn", "rnn", "head");
        AssertReproduces(model, "net_lstm2_head.io.safetensors");
    }

    [Fact]
    public void CheckpointDictLoadsNonStrictlyFromItsNestedStateDicts()
    {
        var model = new CheckpointGru();
        model.LoadPyTorch(PathOf("checkpoint.pt"), strict: false, "encoder", "head");
        AssertReproduces(model, "checkpoint.io.safetensors");
    }

    [Fact]
    public void DtypesAndStridedViewsAreReadAsPyTorchHoldsThem()
    {
        SafeTensorsFile file = PyTorchFile.Read(PathOf("dtypes_views.pt"));
        SafeTensorsFile expected = SafeTensorsFile.Read(PathOf("dtypes_views.expected.safetensors"));
        foreach (string name in expected.Names)
        {
            Assert.Equal(expected.GetInfo(name).Shape, file.GetInfo(name).Shape);
            Assert.Equal(expected.ReadSingles(name), file.ReadSingles(name));
        }

        Assert.Equal(SafeTensorsDType.F64, file.GetInfo("f64").DType);
        Assert.Equal(SafeTensorsDType.F16, file.GetInfo("f16").DType);
        Assert.Equal(SafeTensorsDType.BF16, file.GetInfo("bf16").DType);
        Assert.Equal(SafeTensorsDType.I64, file.GetInfo("count").DType);
        Assert.Empty(file.GetInfo("count").Shape);
        Assert.Equal(3L, BitConverter.ToInt64(file.GetBytes("count").Span));
    }

    [Fact]
    public void SafeTensorsStillLoadThroughTheSamePath()
    {
        SafeTensorsFile viaDetection = PyTorchFile.Read(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        SafeTensorsFile direct = SafeTensorsFile.Read(Fixture.PathOf("lstm_8_32.weights.safetensors"));
        Assert.Equal(direct.Names, viaDetection.Names);
    }

    // ---------------------------------------------------------------- strict, and errors that say what to do

    [Fact]
    public void DefaultNamesOnAnotherModuleLayoutListTheFileAndTheCallToMake()
    {
        var model = new NetLstm2Head();
        WeightFormatException error = AssertFails(model, () => model.LoadPyTorch(PathOf("net_lstm2_head.pt")));
        Assert.Contains("'layers.0.weight_ih_l0' or 'layers.0.weight_ih' for layer 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("rnn: LSTM, 2 layers, input 4, hidden 24", error.Message, StringComparison.Ordinal);
        Assert.Contains("head: Linear 24 → 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("model.LoadPyTorch(path, \"rnn\", \"rnn\", \"head\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HiddenSizeMismatchIsSaidInTheModelsTerms()
    {
        var model = new NetLstm2Hidden32();
        WeightFormatException error = AssertFails(model, () => model.LoadPyTorch(PathOf("net_lstm2_head.pt"), "rnn", "rnn", "head"));
        Assert.Equal("rnn.weight_ih_l0", error.TensorName);
        Assert.Contains("has shape [96, 4]; expected [128, 4]", error.Message, StringComparison.Ordinal);
        Assert.Contains("the file's layer has 24 hidden units", error.Message, StringComparison.Ordinal);
        Assert.Contains("the model declares 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoLayerFileIntoOneLayerModelFailsListingTheUnusedLayer()
    {
        var model = new NetLstm1Head();
        WeightFormatException error = AssertFails(model, () => model.LoadPyTorch(PathOf("net_lstm2_head.pt"), "rnn", "head"));
        foreach (string tensor in (string[])["'rnn.weight_ih_l1' [96, 24]", "'rnn.weight_hh_l1'", "'rnn.bias_ih_l1'", "'rnn.bias_hh_l1'"])
        {
            Assert.Contains(tensor, error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("4 tensors the model does not read", error.Message, StringComparison.Ordinal);
        Assert.Contains("rnn: LSTM, 2 layers", error.Message, StringComparison.Ordinal);
        Assert.Contains("strict: false", error.Message, StringComparison.Ordinal);

        // The explicit opt-out reads the first layer and the head.
        model.LoadPyTorch(PathOf("net_lstm2_head.pt"), strict: false, "rnn", "head");
    }

    [Fact]
    public void CheckpointWithOptimizerStateIsStrictByDefault()
    {
        var model = new CheckpointGru();
        WeightFormatException error = AssertFails(model, () => model.LoadPyTorch(PathOf("checkpoint.pt"), "encoder", "head"));
        Assert.Contains("'optimizer.state.0.exp_avg'", error.Message, StringComparison.Ordinal);
        Assert.Contains("strict: false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoSpellingsOfOneTensorAreAmbiguous()
    {
        SafeTensorsFile original = SafeTensorsFile.Read(Fixture.PathOf("lstm_cell_3_13.weights.safetensors"));
        var writer = new SafeTensorsWriter();
        foreach (SafeTensorInfo info in original.Tensors)
        {
            writer.Add(info.Name, original.ReadSingles(info.Name), info.Shape.ToArray());
        }

        // The cell's 'layers.0.weight_ih' and the module spelling 'layers.0.weight_ih_l0' of the same parameter.
        writer.Add("layers.0.weight_ih_l0", original.ReadSingles("layers.0.weight_ih"), original.GetInfo("layers.0.weight_ih").Shape.ToArray());
        var model = new LstmCell3To13();
        WeightFormatException error = AssertFails(model, () => model.LoadPyTorch(SafeTensorsFile.Parse(writer.ToArray())));
        Assert.Contains("both 'layers.0.weight_ih_l0' and 'layers.0.weight_ih'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ambiguous", error.Message, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- refused by name

    [Fact]
    public void LegacyFormatIsRefusedByName()
        => AssertRefused("legacy.pt", "legacy format", "before PyTorch 1.6", "legacy.pt");

    [Fact]
    public void WholeModulePickleIsRefusedWithoutRunningIt()
        => AssertRefused("whole_module.pt", "'__main__.Net'", "weights-only", "state_dict()");

    [Fact]
    public void TorchScriptIsRefusedByName()
        => AssertRefused("torchscript.pt", "TorchScript", "torch.jit.save");

    [Fact]
    public void OtherFormatsAreNamed()
    {
        string directory = Directory.CreateTempSubdirectory("fixedrnn-pt-").FullName;
        try
        {
            string text = Path.Combine(directory, "notes.pt");
            File.WriteAllText(text, "these are not weights, but some people's notes about them");
            var error = Assert.Throws<WeightFormatException>(() => PyTorchFile.Read(text));
            Assert.Contains(text, error.Message, StringComparison.Ordinal);
            Assert.Contains("neither a torch.save zip archive", error.Message, StringComparison.Ordinal);
            Assert.Contains("nor a safetensors file", error.Message, StringComparison.Ordinal);

            // The case: SafeTensorsFile.Read on a file that is not one names the path and says so.
            error = Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Read(text));
            Assert.Contains($"'{text}' is not a safetensors file", error.Message, StringComparison.Ordinal);

            error = Assert.Throws<WeightFormatException>(() => SafeTensorsFile.Read(PathOf("net_lstm2_head.pt")));
            Assert.Contains("not a safetensors file", error.Message, StringComparison.Ordinal);
            Assert.Contains("zip archive (torch.save", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // ---------------------------------------------------------------- hostile archives and pickles

    [Theory]
    [InlineData("os", "system", "'os.system'")]
    [InlineData("builtins", "eval", "'builtins.eval'")]
    [InlineData("torch", "load", "'torch.load'")]
    [InlineData("__builtin__", "getattr", "'__builtin__.getattr'")]
    public void ForbiddenGlobalsAreNamedAndNeverResolved(string module, string name, string fragment)
    {
        byte[] pickle = new PickleWriter().Proto().Global(module, name).Mark().Unicode("echo pwned").Tuple().Reduce().Stop().ToArray();
        AssertRejected(Zip(("data.pkl", pickle)), fragment, "weights-only");
    }

    [Theory]
    [InlineData(new byte[] { (byte)'i' }, "(INST)")]
    [InlineData(new byte[] { (byte)'o' }, "(OBJ)")]
    [InlineData(new byte[] { 0x81 }, "(NEWOBJ)")]
    [InlineData(new byte[] { 0x82, 1 }, "(EXT)")]
    [InlineData(new byte[] { (byte)'P' }, "(PERSID)")]
    [InlineData(new byte[] { (byte)'S' }, "text-protocol")]
    [InlineData(new byte[] { 0x8B, 0, 0, 0, 0 }, "(LONG4)")]
    public void ForbiddenOpcodesAreNamed(byte[] opcode, string fragment)
    {
        byte[] pickle = [0x80, 0x02, .. opcode, (byte)'.'];
        AssertRejected(Zip(("data.pkl", pickle)), fragment, "byte 2");
    }

    [Fact]
    public void MalformedPicklesAreRejected()
    {
        AssertRejected(Zip(("data.pkl", [0x80, 0x02, (byte)'}'])), "ends without a STOP");
        AssertRejected(Zip(("data.pkl", [0x80, 0x02, (byte)'X', 0xFF, 0xFF, 0xFF, 0x7F])), "past the end");
        AssertRejected(Zip(("data.pkl", [0x80, 0x02, (byte)'u', (byte)'.'])), "MARK");
        AssertRejected(Zip(("data.pkl", [0x80, 0x02, (byte)'h', 5, (byte)'.'])), "memo entry 5");
        AssertRejected(Zip(("data.pkl", [0x80, 0x02, (byte)'J', 1, 0, 0, 0, (byte)'.'])), "the integer 1", "not a dict");
        AssertRejected(Zip(("data.pkl", new PickleWriter().Proto().EmptyDict().Put(0).Unicode("me").Get(0).SetItem().Stop().ToArray())), "contains itself");

        var deep = new PickleWriter().Proto();
        for (int i = 0; i < 100; i++)
        {
            deep.EmptyDict().Unicode("k");
        }

        deep.EmptyDict();
        for (int i = 0; i < 100; i++)
        {
            deep.SetItem();
        }

        AssertRejected(Zip(("data.pkl", deep.Stop().ToArray())), "nest more than 64 deep");
        AssertRejected(Zip(("other.txt", [1, 2, 3])), "no '{name}/data.pkl' entry");
        AssertRejected([0x50, 0x4B, 0x03, 0x04, 0, 0, 0], "zip");
    }

    [Fact]
    public void TensorViewsMustStayInsideTheirStorage()
    {
        float[] six = [1, 2, 3, 4, 5, 6];
        Assert.Equal(six, PyTorchFile.Parse(OneTensor(six, 0, [2, 3], [3, 1])).ReadSingles("w"));
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], PyTorchFile.Parse(OneTensor(six, 0, [3, 2], [1, 3])).ReadSingles("w"));
        AssertRejected(OneTensor(six, 1, [2, 3], [3, 1]), "reaches past the 6 elements");
        AssertRejected(OneTensor(six, 0, [2, 4], [4, 1]), "reaches past the 6 elements");
        AssertRejected(OneTensor(six, 0, [2, 3], [3, 1], numel: 7), "6 elements", "says 7 elements");
        AssertRejected(OneTensor(six, 0, [1L << 40, 1L << 40], [0, 0]), "overflows");

        // A stride-0 view of one element that claims millions: more than twice the file, refused before allocating.
        AssertRejected(OneTensor(six, 0, [1 << 26], [0]), "more than twice the file's length");
    }

    [Fact]
    public void MutatedArchivesFailOnlyWithWeightFormatExceptionWithinTheMemoryBound()
    {
        byte[] original = File.ReadAllBytes(PathOf("net_lstm2_head.pt"));
        var random = new Random(1206);
        int rejected = 0, accepted = 0;
        long worst = 0;
        const int Mutations = 600;
        for (int i = 0; i < Mutations; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++)
            {
                // Mostly in the pickle and the zip directories, where structure lives.
                int at = random.Next(3) switch
                {
                    0 => random.Next(Math.Min(mutated.Length, 2048)),
                    1 => mutated.Length - 1 - random.Next(Math.Min(mutated.Length, 4096)),
                    _ => random.Next(mutated.Length),
                };
                mutated[at] = (byte)random.Next(256);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = PyTorchFile.Parse(mutated);
                accepted++;
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

        output.WriteLine($"{Mutations} mutations: {rejected} rejected, {accepted} accepted; most allocated by one parse {worst} bytes for a {original.Length}-byte file.");
        Assert.True(rejected > Mutations / 10, $"Only {rejected} of {Mutations} mutations were rejected.");
        Assert.True(worst <= 16L * original.Length, $"A parse allocated {worst} bytes, more than 16x the {original.Length}-byte file.");
    }

    [Fact]
    public void MutatedPicklesFailOnlyWithWeightFormatExceptionWithinTheMemoryBound()
    {
        // The archive's own checks (zip structure, CRCs) stop most byte flips before the unpickler; here the
        // pickle itself is mutated and the archive rebuilt around it, so every mutation reaches the interpreter.
        var entries = new System.Collections.Generic.List<(string Name, byte[] Content)>();
        using (var zip = new System.IO.Compression.ZipArchive(File.OpenRead(PathOf("net_lstm2_head.pt")), System.IO.Compression.ZipArchiveMode.Read))
        {
            foreach (System.IO.Compression.ZipArchiveEntry entry in zip.Entries)
            {
                using var content = new MemoryStream();
                using (Stream stream = entry.Open())
                {
                    stream.CopyTo(content);
                }

                entries.Add((entry.FullName[(entry.FullName.IndexOf('/') + 1)..], content.ToArray()));
            }
        }

        byte[] original = File.ReadAllBytes(PathOf("net_lstm2_head.pt"));
        byte[] pickle = entries.Single(e => e.Name == "data.pkl").Content;
        var random = new Random(1213);
        int rejected = 0, accepted = 0;
        long worst = 0;
        const int Mutations = 600;
        for (int i = 0; i < Mutations; i++)
        {
            byte[] mutated = (byte[])pickle.Clone();
            for (int f = 0, flips = 1 + random.Next(3); f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] = random.Next(4) == 0 ? (byte)0xFF : (byte)random.Next(256);
            }

            byte[] archive = Zip([.. entries.Select(e => e.Name == "data.pkl" ? (e.Name, mutated) : e)]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _ = PyTorchFile.Parse(archive);
                accepted++;
            }
            catch (WeightFormatException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"Pickle mutation {i} threw {ex.GetType()}: {ex.Message}");
            }

            worst = Math.Max(worst, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        output.WriteLine($"{Mutations} pickle mutations: {rejected} rejected, {accepted} accepted; most allocated by one parse {worst} bytes for a {pickle.Length}-byte pickle in an archive.");
        Assert.True(rejected > Mutations / 10, $"Only {rejected} of {Mutations} mutations were rejected.");
        Assert.True(worst <= 16L * original.Length, $"A parse allocated {worst} bytes, more than 16x the {original.Length}-byte archive.");
    }

    // ---------------------------------------------------------------- helpers

    private static WeightFormatException AssertFails<TState>(IRecurrentModel<TState> model, Action load)
        where TState : struct
    {
        float[] before = ParametersOf(model);
        var error = Assert.Throws<WeightFormatException>(load);
        Assert.Equal(before, ParametersOf(model));
        return error;
    }

    private static float[] ParametersOf<TState>(IRecurrentModel<TState> model)
        where TState : struct
        => model switch
        {
            NetLstm2Head m => m.Parameters.ToArray(),
            NetLstm1Head m => m.Parameters.ToArray(),
            NetLstm2Hidden32 m => m.Parameters.ToArray(),
            CheckpointGru m => m.Parameters.ToArray(),
            LstmCell3To13 m => m.Parameters.ToArray(),
            _ => throw new ArgumentException("unknown model", nameof(model)),
        };

    private void AssertReproduces<TState>(IRecurrentModel<TState> model, string ioName)
        where TState : struct
    {
        SafeTensorsFile io = SafeTensorsFile.Read(PathOf(ioName));
        float[] inputs = io.ReadSingles("input");
        float[] expected = io.ReadSingles("output");
        var actual = new float[expected.Length];
        var state = default(TState);
        model.Forward(inputs, ref state, actual);
        double error = ParityAssert.MaxAbsError(expected, actual, Tolerance, ioName);
        output.WriteLine($"{ioName}: max abs error {error:E2}");
    }

    private static void AssertRefused(string fixture, params string[] fragments)
    {
        var error = Assert.Throws<WeightFormatException>(() => PyTorchFile.Read(PathOf(fixture)));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertRejected(byte[] file, params string[] fragments)
    {
        var error = Assert.Throws<WeightFormatException>(() => PyTorchFile.Parse(file));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }
    }
}
