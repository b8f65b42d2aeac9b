using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedRnn.Generators.Tests;

/// <summary>Runs <see cref="FixedRnnGenerator"/> over source text, the way the compiler does.</summary>
internal static class GeneratorDriver
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The test host's trusted platform assemblies are the net10.0 reference set a user compiles against.
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "netstandard.dll" or "mscorlib.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(RecurrentModelAttribute).Assembly.Location))
            .ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Preview);

    public static CSharpCompilation Compile(params string[] sources) => Compile(ParseOptions, CompilationOptions(nullable: true), sources);

    /// <summary>Compiles <paramref name="sources"/> as a user's library with <paramref name="parseOptions"/> and <paramref name="options"/>.</summary>
    public static CSharpCompilation Compile(CSharpParseOptions parseOptions, CSharpCompilationOptions options, params string[] sources)
        => CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Model{index}.cs")),
            References.Value,
            options);

    /// <summary>A library's compilation options, nullable annotations enabled or not.</summary>
    public static CSharpCompilationOptions CompilationOptions(bool nullable)
        => new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: nullable ? NullableContextOptions.Enable : NullableContextOptions.Disable);

    public static CSharpGeneratorDriver CreateDriver(bool trackSteps = false) => CreateDriver(ParseOptions, trackSteps);

    public static CSharpGeneratorDriver CreateDriver(CSharpParseOptions parseOptions, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            new[] { new FixedRnnGenerator().AsSourceGenerator() },
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated code added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources) => Run(Compile(sources), ParseOptions);

    /// <summary>Runs the generator over <paramref name="compilation"/>, whose trees were parsed with <paramref name="parseOptions"/>.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(CSharpCompilation compilation, CSharpParseOptions parseOptions)
    {
        Microsoft.CodeAnalysis.GeneratorDriver driver = CreateDriver(parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>Errors and warnings of the compiled user code plus generated code.</summary>
    public static IReadOnlyList<Diagnostic> CompilerDiagnostics(Compilation output)
        => output.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning).ToList();
}
