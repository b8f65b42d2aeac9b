using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// One page of docs/diagnostics: its title (<c># FRNN001: …</c>), the Message row of its table, and the
/// first <c>```csharp</c> block directly under <c>## Wrong</c> and under <c>## Fixed</c>. A section may also
/// show the project setting it needs in an <c>```xml</c> block; its <c>&lt;LangVersion&gt;</c> is honoured.
/// </summary>
internal sealed record DiagnosticPage(string Id, string Title, string Message, DiagnosticPage.Example Wrong, DiagnosticPage.Example Fixed)
{
    /// <summary>A compilable example and the C# version its project asks for, if it names one.</summary>
    public sealed record Example(string Code, LanguageVersion? LanguageVersion);

    public static IReadOnlyList<string> AllIds(string directory)
        => Directory.GetFiles(directory, "FRNN*.md").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList()!;

    public static DiagnosticPage Read(string directory, string id)
    {
        string[] lines = File.ReadAllLines(Path.Combine(directory, id + ".md"));
        string title = lines[0].StartsWith("# ", StringComparison.Ordinal) ? lines[0][2..] : throw new FormatException($"{id}.md does not start with a '# ' title.");
        string message = lines.Select(line => Regex.Match(line, @"^\| Message \| (.*) \|$")).SingleOrDefault(match => match.Success)?.Groups[1].Value
            ?? throw new FormatException($"{id}.md has no '| Message | … |' row.");
        return new DiagnosticPage(id, title, message.Replace("`", "", StringComparison.Ordinal), Section(lines, id, "## Wrong"), Section(lines, id, "## Fixed"));
    }

    private static Example Section(string[] lines, string id, string heading)
    {
        int start = Array.IndexOf(lines, heading);
        if (start < 0)
        {
            throw new FormatException($"{id}.md has no '{heading}' section.");
        }

        int end = Array.FindIndex(lines, start + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        string[] section = lines[(start + 1)..(end < 0 ? lines.Length : end)];
        int open = Array.FindIndex(section, line => line.Length > 0);
        if (open < 0 || section[open] != "```csharp")
        {
            throw new FormatException($"{id}.md: the first thing under '{heading}' must be a ```csharp block.");
        }

        int close = Array.IndexOf(section, "```", open + 1);
        if (close < 0)
        {
            throw new FormatException($"{id}.md: the ```csharp block under '{heading}' is not closed.");
        }

        string code = string.Join('\n', section[(open + 1)..close]);
        Match langVersion = Regex.Match(string.Join('\n', section[(close + 1)..]), @"<LangVersion>([^<]+)</LangVersion>");
        LanguageVersion? version = null;
        if (langVersion.Success)
        {
            version = LanguageVersionFacts.TryParse(langVersion.Groups[1].Value, out LanguageVersion parsed)
                ? parsed
                : throw new FormatException($"{id}.md: '{langVersion.Groups[1].Value}' under '{heading}' is not a C# language version.");
        }

        return new Example(code, version);
    }
}
