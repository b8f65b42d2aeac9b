using System;
using System.IO;

namespace FixedRnn.Demo;

/// <summary>
/// The directory the demo writes into. File-system failures become <see cref="OutputException"/>s here,
/// where it is certain that they concern the output, so that they are reported as such and not
/// confused with, say, a closed console pipe.
/// </summary>
public sealed class OutputDirectory
{
    private OutputDirectory(string path) => Path = path;

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>Creates the directory if needed; done before training so a bad path fails in a second, not after a run.</summary>
    /// <exception cref="OutputException">The directory cannot be created.</exception>
    public static OutputDirectory Create(string path)
    {
        try
        {
            string full = System.IO.Path.GetFullPath(path);
            Directory.CreateDirectory(full);
            return new OutputDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new OutputException($"cannot create the output directory '{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes a file in the directory with what <paramref name="write"/> writes to its path, and returns the path.</summary>
    /// <exception cref="OutputException">The file cannot be written.</exception>
    public string Write(string fileName, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string file = System.IO.Path.Combine(Path, fileName);
        try
        {
            write(file);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write '{file}': {e.Message}", e);
        }
    }
}
