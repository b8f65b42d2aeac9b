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

    public static CSharpCompilation Compile(params string[] sources) => Compile(ParseOptions, sources);

    /// <summary>Compiles <paramref name="sources"/> as a project with <paramref name="parseOptions"/> (its C# version) would.</summary>
    public static CSharpCompilation Compile(CSharpParseOptions parseOptions, params string[] sources)
        => CSharpCompilation.Create(
            "UserAssembly",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Model{index}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpGeneratorDriver CreateDriver(bool trackSteps = false, CSharpParseOptions? parseOptions = null)
        => CSharpGeneratorDriver.Create(
            new[] { new FixedRnnGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated code added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources)
    {
        CSharpCompilation compilation = Compile(sources);
        Microsoft.CodeAnalysis.GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>Errors and warnings of the compiled user code plus generated code.</summary>
    public static IReadOnlyList<Diagnostic> CompilerDiagnostics(Compilation output)
        => output.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning).ToList();
}
