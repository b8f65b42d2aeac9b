using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// A line diff in the unified format of <c>diff -u</c> (hunk headers, three lines of context, <c>\ No newline at end
/// of file</c>), found with Myers' O(ND) algorithm: the shortest edit script, deletions before insertions in each
/// changed run. Small enough to own, so that a failing baseline shows what changed without an external tool.
/// </summary>
internal static class UnifiedDiff
{
    private enum Operation
    {
        Equal,
        Delete,
        Insert,
    }

    /// <summary>A line and whether a newline ends it (only a file's last line may lack one).</summary>
    private readonly record struct Line(string Text, bool Terminated);

    private readonly record struct Edit(Operation Operation, int Old, int New);

    /// <summary>
    /// The diff from <paramref name="oldText"/> to <paramref name="newText"/>, or an empty string when they are equal.
    /// At most <paramref name="maxLines"/> lines of hunks are shown; a last line says how many were left out.
    /// </summary>
    public static string Create(string oldText, string newText, string oldLabel, string newLabel, int context = 3, int maxLines = int.MaxValue)
    {
        Line[] oldLines = Split(oldText);
        Line[] newLines = Split(newText);
        List<Edit> edits = ShortestEditScript(oldLines, newLines);
        if (edits.All(edit => edit.Operation == Operation.Equal))
        {
            return string.Empty;
        }

        var lines = new List<string>();
        foreach ((int start, int end) in Hunks(edits, context))
        {
            lines.Add(Header(edits, start, end));
            for (int index = start; index < end; index++)
            {
                Edit edit = edits[index];
                Line line = edit.Operation == Operation.Insert ? newLines[edit.New] : oldLines[edit.Old];
                char prefix = edit.Operation switch { Operation.Delete => '-', Operation.Insert => '+', _ => ' ' };
                lines.Add(prefix + line.Text);
                if (!line.Terminated)
                {
                    lines.Add("\\ No newline at end of file");
                }
            }
        }

        var text = new StringBuilder();
        text.Append("--- ").Append(oldLabel).Append('\n');
        text.Append("+++ ").Append(newLabel).Append('\n');
        foreach (string line in lines.Take(maxLines))
        {
            text.Append(line).Append('\n');
        }

        if (lines.Count > maxLines)
        {
            text.Append(CultureInfo.InvariantCulture, $"... {lines.Count - maxLines} more line(s) of diff\n");
        }

        return text.ToString();
    }

    private static Line[] Split(string text)
    {
        if (text.Length == 0)
        {
            return Array.Empty<Line>();
        }

        string[] parts = text.Split('\n');
        bool terminated = parts[^1].Length == 0;
        int count = terminated ? parts.Length - 1 : parts.Length;
        var lines = new Line[count];
        for (int index = 0; index < count; index++)
        {
            lines[index] = new Line(parts[index], index < count - 1 || terminated);
        }

        return lines;
    }

    /// <summary>
    /// Myers' greedy forward search for the furthest-reaching D-paths, then a walk back through the saved frontiers.
    /// The common prefix and suffix are matched first, so that the search and its saved frontiers cover only the
    /// changed middle.
    /// </summary>
    private static List<Edit> ShortestEditScript(Line[] oldLines, Line[] newLines)
    {
        int prefix = 0;
        while (prefix < oldLines.Length && prefix < newLines.Length && oldLines[prefix] == newLines[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < oldLines.Length - prefix && suffix < newLines.Length - prefix && oldLines[^(suffix + 1)] == newLines[^(suffix + 1)])
        {
            suffix++;
        }

        int n = oldLines.Length - prefix - suffix;
        int m = newLines.Length - prefix - suffix;
        bool Same(int x, int y) => oldLines[prefix + x] == newLines[prefix + y];

        // frontier[offset + k]: the furthest x reached on diagonal k = x - y. Before each round d its window
        // k = -d-1 .. d+1 is saved: the walk back reads round d's choices from it.
        int max = n + m;
        int offset = max + 1;
        var frontier = new int[(2 * max) + 3];
        var saved = new List<int[]>();
        int rounds = 0;
        for (int d = 0; d <= max; d++)
        {
            saved.Add(frontier.AsSpan(offset - d - 1, (2 * d) + 3).ToArray());
            bool done = false;
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1])
                    ? frontier[offset + k + 1]
                    : frontier[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && Same(x, y))
                {
                    x++;
                    y++;
                }

                frontier[offset + k] = x;
                if (x >= n && y >= m)
                {
                    done = true;
                    break;
                }
            }

            if (done)
            {
                rounds = d;
                break;
            }
        }

        var middle = new List<Edit>();
        int atX = n;
        int atY = m;
        for (int d = rounds; d > 0; d--)
        {
            int[] before = saved[d];
            int At(int k) => before[k + d + 1];
            int k = atX - atY;
            bool down = k == -d || (k != d && At(k - 1) < At(k + 1));
            int previousK = down ? k + 1 : k - 1;
            int previousX = At(previousK);
            int previousY = previousX - previousK;
            int startX = down ? previousX : previousX + 1;
            int startY = down ? previousY + 1 : previousY;
            while (atX > startX && atY > startY)
            {
                atX--;
                atY--;
                middle.Add(new Edit(Operation.Equal, atX, atY));
            }

            middle.Add(down ? new Edit(Operation.Insert, atX, previousY) : new Edit(Operation.Delete, previousX, atY));
            atX = previousX;
            atY = previousY;
        }

        while (atX > 0 && atY > 0)
        {
            atX--;
            atY--;
            middle.Add(new Edit(Operation.Equal, atX, atY));
        }

        middle.Reverse();
        var edits = new List<Edit>(prefix + middle.Count + suffix);
        for (int index = 0; index < prefix; index++)
        {
            edits.Add(new Edit(Operation.Equal, index, index));
        }

        edits.AddRange(middle.Select(edit => edit with { Old = edit.Old + prefix, New = edit.New + prefix }));
        for (int index = 0; index < suffix; index++)
        {
            edits.Add(new Edit(Operation.Equal, oldLines.Length - suffix + index, newLines.Length - suffix + index));
        }

        return edits;
    }

    /// <summary>Ranges of <paramref name="edits"/>: each change with up to <paramref name="context"/> equal lines around it, overlapping ones merged.</summary>
    private static List<(int Start, int End)> Hunks(List<Edit> edits, int context)
    {
        var hunks = new List<(int Start, int End)>();
        for (int index = 0; index < edits.Count; index++)
        {
            if (edits[index].Operation == Operation.Equal)
            {
                continue;
            }

            int start = Math.Max(0, index - context);
            int end = Math.Min(edits.Count, index + 1 + context);
            if (hunks.Count > 0 && start <= hunks[^1].End)
            {
                hunks[^1] = (hunks[^1].Start, end);
            }
            else
            {
                hunks.Add((start, end));
            }
        }

        return hunks;
    }

    /// <summary><c>@@ -l,s +l,s @@</c> as <c>diff -u</c> writes it: a count of 1 left out, an empty range starting at the line before.</summary>
    private static string Header(List<Edit> edits, int start, int end)
    {
        int oldCount = 0;
        int newCount = 0;
        for (int index = start; index < end; index++)
        {
            oldCount += edits[index].Operation != Operation.Insert ? 1 : 0;
            newCount += edits[index].Operation != Operation.Delete ? 1 : 0;
        }

        // Every edit records where it stands in both files, so the hunk's first edit gives both starting lines.
        Edit first = edits[start];
        return $"@@ -{Range(first.Old, oldCount)} +{Range(first.New, newCount)} @@";
    }

    private static string Range(int zeroBasedStart, int count) => count switch
    {
        0 => $"{zeroBasedStart},0",
        1 => (zeroBasedStart + 1).ToString(CultureInfo.InvariantCulture),
        _ => $"{zeroBasedStart + 1},{count}",
    };
}
