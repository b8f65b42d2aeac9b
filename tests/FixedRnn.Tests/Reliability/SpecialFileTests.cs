using System;
using System.IO;
using System.Threading.Tasks;
using FixedRnn.Interop;
using FixedRnn.Tests.Interop;
using Xunit;

namespace FixedRnn.Tests.Reliability;

/// <summary>
/// Every loader refuses what is not a regular file at once, before opening it: a FIFO without a writer (whose
/// open blocks forever), a character device that never ends (<c>/dev/zero</c>), a link to one, and a directory.
/// The error names the path and says why.
/// </summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fixedrnn-special-").FullName;

    public static TheoryData<string> Loaders => new() { "SafeTensorsFile.Read", "LoadPyTorch", "LoadOnnx", "LoadKeras" };

    [Theory]
    [MemberData(nameof(Loaders))]
    public void FifoWithoutWriterFailsAtOnce(string loader)
    {
        Assert.False(OperatingSystem.IsWindows(), "FIFOs are a Unix file type; CI runs on Linux.");
        string fifo = Path.Combine(_directory, "weights.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        AssertRefusedPromptly(loader, fifo, "not a regular file");
    }

    [Theory]
    [MemberData(nameof(Loaders))]
    public void EndlessDeviceFailsAtOnce(string loader)
    {
        Assert.True(File.Exists("/dev/zero"), "The test needs /dev/zero (Linux).");
        AssertRefusedPromptly(loader, "/dev/zero", "not a regular file");

        string link = Path.Combine(_directory, "zero.onnx");
        File.CreateSymbolicLink(link, "/dev/zero");
        AssertRefusedPromptly(loader, link, "not a regular file");
    }

    [Theory]
    [MemberData(nameof(Loaders))]
    public void DirectoryFailsAtOnce(string loader)
        => AssertRefusedPromptly(loader, _directory, "is a directory");

    [Theory]
    [MemberData(nameof(Loaders))]
    public void EmptyFileFailsAtOnce(string loader)
    {
        string empty = Path.Combine(_directory, "empty.bin");
        File.WriteAllBytes(empty, []);
        AssertRefusedPromptly(loader, empty, "reports a length of 0 bytes");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void AssertRefusedPromptly(string loader, string path, string reason)
    {
        // A guard against the old behavior (blocking in open(2) forever), not a timing assertion: it only fails if the load hangs.
        Task<Exception?> load = Task.Run(() => Record(() => Load(loader, path)));
        Assert.True(load.Wait(TimeSpan.FromSeconds(30)), $"{loader}('{path}') did not return.");
        WeightFormatException error = Assert.IsType<WeightFormatException>(load.Result);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static void Load(string loader, string path)
    {
        switch (loader)
        {
            case "SafeTensorsFile.Read":
                SafeTensorsFile.Read(path);
                break;
            case "LoadPyTorch":
                new MixedStack().LoadPyTorch(path);
                break;
            case "LoadOnnx":
                new OnnxLstm4To12().LoadOnnx(path);
                break;
            default:
                new KerasLstm().LoadKeras(path);
                break;
        }
    }
}
