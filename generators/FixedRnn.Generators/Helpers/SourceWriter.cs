using System;
using System.Collections.Generic;
using System.Text;

namespace FixedRnn.Generators.Helpers;

/// <summary>
/// Builds indented C# source. <see cref="Block"/> opens a brace block that closes when disposed, so
/// emitters read like the code they produce.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private readonly List<Action> _deferred = new();
    private readonly HashSet<string> _deferredKeys = new();
    private int _indent;

    /// <summary>
    /// Queues a member that the member being written needs (a helper method), to be written after it by
    /// <see cref="WriteDeferred"/>.
    /// </summary>
    public void Defer(Action write) => _deferred.Add(write);

    /// <summary>Like <see cref="Defer(Action)"/>, once per <paramref name="key"/>: for a helper that several members call.</summary>
    public void Defer(string key, Action write)
    {
        if (_deferredKeys.Add(key))
        {
            _deferred.Add(write);
        }
    }

    /// <summary>Writes the queued members, each after a blank line.</summary>
    public void WriteDeferred()
    {
        Action[] pending = _deferred.ToArray();
        _deferred.Clear();
        foreach (Action write in pending)
        {
            Line();
            write();
        }
    }

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < _indent; i++)
            {
                _builder.Append(IndentUnit);
            }

            _builder.Append(text);
        }

        _builder.Append('\n');
    }

    public IDisposable Block(string? header = null, string closing = "}", string opening = "{")
    {
        if (header is not null)
        {
            Line(header);
        }

        Line(opening);
        _indent++;
        return new BlockCloser(this, closing);
    }

    /// <summary>
    /// Names the code written since the last <see cref="Mark"/> refers to, so that a frame can declare only those
    /// (an unused local constant is warning CS0219 in the user's build).
    /// </summary>
    public HashSet<string> Used { get; } = new();

    /// <summary>Marks the current position, where <see cref="InsertAt"/> can later put lines (at the indentation of now), and clears <see cref="Used"/>.</summary>
    public Position Mark()
    {
        Used.Clear();
        return new Position(_builder.Length, _indent);
    }

    /// <summary>Inserts <paramref name="lines"/> at <paramref name="position"/>; positions marked after it must not be used any more.</summary>
    public void InsertAt(Position position, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            for (int i = 0; i < position.Indent; i++)
            {
                text.Append(IndentUnit);
            }

            text.Append(line).Append('\n');
        }

        _builder.Insert(position.Offset, text.ToString());
    }

    /// <summary>The text written since <paramref name="position"/>.</summary>
    public string TextSince(Position position) => _builder.ToString(position.Offset, _builder.Length - position.Offset);

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _builder.ToString();

    /// <summary>A place in the output and the indentation there.</summary>
    public sealed class Position(int offset, int indent)
    {
        public int Offset { get; } = offset;

        public int Indent { get; } = indent;
    }

    private sealed class BlockCloser(SourceWriter writer, string closing) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            writer.Line(closing);
        }
    }
}
