using System;
using System.IO;

namespace FixedRnn.Interop;

/// <summary>
/// Reads a weight file whole, with its work bounded before any byte is read: only regular files, at most a
/// stated number of bytes, and never more than the length the file system reported before opening.
/// </summary>
/// <remarks>
/// A FIFO without a writer blocks <c>open(2)</c> forever, and a character device such as <c>/dev/zero</c> never
/// ends, so neither may be opened at all. .NET exposes no file type on Unix, but the size the file system reports
/// before opening tells them apart: FIFOs, sockets and devices report 0 bytes, directories do not exist as files.
/// Empty regular files are rejected with them, since no weight format is empty. The buffer is sized from that length
/// and exactly that many bytes are read, so a file that grows meanwhile cannot make the reader allocate more.
/// </remarks>
internal static class WeightFileReader
{
    /// <summary>Reads <paramref name="path"/> whole.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">How messages name the format, such as <c>"ONNX"</c>.</param>
    /// <param name="maxLength">The largest file accepted, in bytes.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="WeightFormatException">The path is a directory, a FIFO, a device or another special file, the file is empty,
    /// or it is longer than <paramref name="maxLength"/>.</exception>
    /// <exception cref="IOException">The file changed length while it was read, or another file-system failure.</exception>
    public static byte[] ReadAll(string path, string format, long maxLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        long length = RegularFileLength(path, format);
        if (length > maxLength)
        {
            throw new WeightFormatException(
                $"'{path}' is {length} bytes long; {format} files of at most {maxLength} bytes are loaded.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        if (!stream.CanSeek || stream.Length != length)
        {
            throw new IOException($"'{path}' changed between inspecting and opening it ({length} bytes before, {(stream.CanSeek ? stream.Length : -1)} after).");
        }

        byte[] buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>The length of a regular, non-empty file, checked without opening it.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="WeightFormatException">The path is a directory or a special file, or the file is empty.</exception>
    public static long RegularFileLength(string path, string format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new WeightFormatException($"'{path}' is a directory, not a {format} file.");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Could not find the {format} file '{path}'.", path);
        }

        // FileInfo describes a symbolic link itself (its length is the target's name); what is read is the final target.
        if (info.LinkTarget is not null)
        {
            FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists)
            {
                throw new FileNotFoundException($"The {format} file '{path}' is a symbolic link to a file that does not exist.", path);
            }

            if (target is DirectoryInfo || Directory.Exists(target.FullName))
            {
                throw new WeightFormatException($"'{path}' is a link to a directory, not a {format} file.");
            }

            info = new FileInfo(target.FullName);
        }

        long length = info.Length;
        if (length == 0)
        {
            throw new WeightFormatException(
                $"'{path}' reports a length of 0 bytes: it is empty, or not a regular file (a FIFO, socket or device, which could block or never end). "
                + $"{format} weights are read only from regular, non-empty files.");
        }

        return length;
    }
}
