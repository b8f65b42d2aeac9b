using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// <see cref="UnifiedDiff"/> against GNU diffutils 3.8: each expected text below is the output of
/// <c>diff -u --label old --label new OLD NEW</c> for the same two inputs. The random cases check that the edit
/// script is a shortest one, against a dynamic-programming longest common subsequence.
/// </summary>
public sealed class UnifiedDiffTests
{
    [Fact]
    public void OneChangedLineHasThreeLinesOfContext()
    {
        AssertDiff("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n", """
            --- old
            +++ new
            @@ -2,7 +2,7 @@
             b
             c
             d
            -e
            +E
             f
             g
             h

            """);
    }

    [Fact]
    public void DistantChangesGetHunksOfTheirOwn()
    {
        string old = string.Concat(Enumerable.Range(1, 30).Select(line => $"line {line}\n"));
        string @new = "first\n" + string.Concat(Enumerable.Range(1, 29).Select(line => line == 15 ? "line fifteen\n" : $"line {line}\n"));
        AssertDiff(old, @new, """
            --- old
            +++ new
            @@ -1,3 +1,4 @@
            +first
             line 1
             line 2
             line 3
            @@ -12,7 +13,7 @@
             line 12
             line 13
             line 14
            -line 15
            +line fifteen
             line 16
             line 17
             line 18
            @@ -27,4 +28,3 @@
             line 27
             line 28
             line 29
            -line 30

            """);
    }

    [Fact]
    public void ChangesSixLinesApartShareAHunkAndSevenApartDoNot()
    {
        string old = string.Concat(Enumerable.Range(1, 20).Select(line => $"l{line}\n"));
        string @new = string.Concat(Enumerable.Range(1, 20).Select(line => line is 4 or 11 or 19 ? $"L{line}\n" : $"l{line}\n"));
        AssertDiff(old, @new, """
            --- old
            +++ new
            @@ -1,14 +1,14 @@
             l1
             l2
             l3
            -l4
            +L4
             l5
             l6
             l7
             l8
             l9
             l10
            -l11
            +L11
             l12
             l13
             l14
            @@ -16,5 +16,5 @@
             l16
             l17
             l18
            -l19
            +L19
             l20

            """);
    }

    [Fact]
    public void AMissingFinalNewlineIsAChange()
    {
        AssertDiff("x\ny\nz", "x\ny\nz\n", """
            --- old
            +++ new
            @@ -1,3 +1,3 @@
             x
             y
            -z
            \ No newline at end of file
            +z

            """);
    }

    [Fact]
    public void AnEmptyRangeStartsAtTheLineBefore()
    {
        AssertDiff(string.Empty, "one\ntwo\n", """
            --- old
            +++ new
            @@ -0,0 +1,2 @@
            +one
            +two

            """);
    }

    [Fact]
    public void EqualTextsHaveNoDiff()
    {
        Assert.Equal(string.Empty, UnifiedDiff.Create("same\ntext\n", "same\ntext\n", "old", "new"));
    }

    [Fact]
    public void ALongDiffIsCutAndSaysHowMuchIsLeft()
    {
        string old = string.Concat(Enumerable.Range(0, 100).Select(line => $"{line}\n"));
        string @new = string.Concat(Enumerable.Range(0, 100).Select(line => $"{line}!\n"));

        string diff = UnifiedDiff.Create(old, @new, "old", "new", maxLines: 40);

        string[] lines = diff.TrimEnd('\n').Split('\n');
        Assert.Equal(2 + 40 + 1, lines.Length);
        Assert.Equal("@@ -1,100 +1,100 @@", lines[2]);
        Assert.Equal("... 161 more line(s) of diff", lines[^1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheEditScriptIsAShortestOne(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 300; round++)
        {
            string[] old = RandomLines(random);
            string[] @new = RandomLines(random);

            // With context enough to cover both files, the diff's lines restate them in full.
            string diff = UnifiedDiff.Create(Join(old), Join(@new), "old", "new", context: 1000);
            string[] body = diff.Length == 0 ? Array.Empty<string>() : diff.TrimEnd('\n').Split('\n').Skip(3).ToArray();
            if (diff.Length == 0)
            {
                Assert.Equal(old, @new);
                continue;
            }

            Assert.Equal(old, body.Where(line => line[0] is ' ' or '-').Select(line => line[1..]).ToArray());
            Assert.Equal(@new, body.Where(line => line[0] is ' ' or '+').Select(line => line[1..]).ToArray());
            int changes = body.Count(line => line[0] is '-' or '+');
            Assert.Equal(old.Length + @new.Length - (2 * LongestCommonSubsequence(old, @new)), changes);
        }
    }

    private static void AssertDiff(string old, string @new, string expected)
        => Assert.Equal(expected.Replace("\r\n", "\n"), UnifiedDiff.Create(old, @new, "old", "new"));

    private static string[] RandomLines(Random random)
        => Enumerable.Range(0, random.Next(0, 25)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToArray();

    private static string Join(string[] lines) => string.Concat(lines.Select(line => line + "\n"));

    private static int LongestCommonSubsequence(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                table[i, j] = a[i] == b[j] ? table[i + 1, j + 1] + 1 : Math.Max(table[i + 1, j], table[i, j + 1]);
            }
        }

        return table[0, 0];
    }
}
