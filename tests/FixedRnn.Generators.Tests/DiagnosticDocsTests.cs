using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// docs/diagnostics/FRNNxxx.md, one page per diagnostic, stay true: the page's title and message are
/// the descriptor's, its Wrong example makes the generator report exactly that id (and the compiler
/// nothing else), and its Fixed example compiles with no diagnostic at all.
/// </summary>
public sealed class DiagnosticDocsTests
{
    /// <summary>
    /// Ids whose pages are written but which the generator does not report yet: their Wrong examples
    /// are not compiled, and <see cref="NotYetReportedIdsHaveNoDescriptor"/> fails as soon as a
    /// descriptor for one of them exists, so that it is removed from here.
    /// </summary>
    private static readonly ImmutableHashSet<string> NotYetReported = [];

    // Deterministic CI builds map source paths to /_/, so the repository's folder travels as metadata.
    private static readonly string RepositoryDirectory = typeof(DiagnosticDocsTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryDirectory").Value!;

    private static readonly string DocsDirectory = Path.Combine(RepositoryDirectory, "docs", "diagnostics");

    private static readonly string RepositoryUrl = typeof(DiagnosticDocsTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "RepositoryUrl").Value!;

    public static TheoryData<string> PageIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in DiagnosticPage.AllIds(DocsDirectory))
        {
            data.Add(id);
        }

        return data;
    }

    public static TheoryData<string> ReportedPageIds()
    {
        var data = new TheoryData<string>();
        foreach (string id in DiagnosticPage.AllIds(DocsDirectory).Where(id => !NotYetReported.Contains(id)))
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void EveryDescriptorHasAPageAndEveryPageADescriptor()
    {
        IEnumerable<string> described = Descriptors().Select(descriptor => descriptor.Id).Concat(NotYetReported).Order();

        Assert.Equal(described, DiagnosticPage.AllIds(DocsDirectory));
    }

    [Fact]
    public void NotYetReportedIdsHaveNoDescriptor()
    {
        string[] reported = Descriptors().Select(descriptor => descriptor.Id).Intersect(NotYetReported).ToArray();

        Assert.True(reported.Length == 0, $"The generator now reports {string.Join(", ", reported)}: remove it from NotYetReported so its Wrong example is checked.");
    }

    [Theory]
    [MemberData(nameof(ReportedPageIds))]
    public void PageTitleAndMessageAreTheDescriptors(string id)
    {
        DiagnosticPage page = DiagnosticPage.Read(DocsDirectory, id);
        DiagnosticDescriptor descriptor = Assert.Single(Descriptors(), descriptor => descriptor.Id == id);

        Assert.Equal($"{id}: {descriptor.Title}", page.Title);

        // The page names each placeholder ({type}, {value}, …) or states the value the generator fills in.
        string format = descriptor.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string pattern = "^" + string.Concat(Regex.Split(format, @"(\{\d+\})").Select(part => Regex.IsMatch(part, @"^\{\d+\}$") ? ".+?" : Regex.Escape(part))) + "$";
        Assert.Matches(pattern, page.Message);
    }

    [Fact]
    public void EveryDescriptorLinksToItsPage()
    {
        Assert.All(Descriptors(), descriptor => Assert.Equal($"{RepositoryUrl}/blob/main/docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri));
    }

    [Theory]
    [MemberData(nameof(ReportedPageIds))]
    public void WrongExampleReportsExactlyItsId(string id)
    {
        DiagnosticPage page = DiagnosticPage.Read(DocsDirectory, id);

        (GeneratorRunResult result, Compilation output) = Run(page.Wrong);

        Assert.Null(result.Exception);
        Assert.NotEmpty(result.Diagnostics);
        Assert.All(result.Diagnostics, diagnostic => Assert.Equal(id, diagnostic.Id));
        Assert.Empty(result.GeneratedSources);

        // The example's only mistake is the one the page explains: the compiler has nothing to add.
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
    }

    [Theory]
    [MemberData(nameof(PageIds))]
    public void FixedExampleCompilesWithoutDiagnostics(string id)
    {
        DiagnosticPage page = DiagnosticPage.Read(DocsDirectory, id);

        (GeneratorRunResult result, Compilation output) = Run(page.Fixed);

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
    }

    [Fact]
    public void ReadmeTableLinksEveryPage()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryDirectory, "README.md"));

        foreach (string id in DiagnosticPage.AllIds(DocsDirectory))
        {
            Assert.Contains($"[{id}](docs/diagnostics/{id}.md)", readme);
        }
    }

    private static (GeneratorRunResult Result, Compilation Output) Run(DiagnosticPage.Example example)
    {
        CSharpParseOptions options = example.LanguageVersion is { } version ? GeneratorDriver.ParseOptions.WithLanguageVersion(version) : GeneratorDriver.ParseOptions;
        CSharpCompilation compilation = GeneratorDriver.Compile(options, GeneratorDriver.CompilationOptions(nullable: options.LanguageVersion >= LanguageVersion.CSharp8), example.Code);
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(options).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors()
        => typeof(FixedRnnGenerator).Assembly.GetType("FixedRnn.Generators.Diagnostics.DiagnosticDescriptors")!
            .GetFields()
            .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!);
}
