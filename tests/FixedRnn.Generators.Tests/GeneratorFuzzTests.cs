using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// A seeded fuzz of the generator: thousands of random declarations, valid and invalid, each with an
/// outcome decided from how it was built (<see cref="FuzzCase.Classify"/>), run in batches of
/// <see cref="BatchSize"/> per compilation. Diagnostics and generated files are mapped back to the case
/// whose source span or type they belong to.
/// </summary>
/// <remarks>
/// FIXEDRNN_FUZZ_SEED and FIXEDRNN_FUZZ_CASES change the seed and the number of cases. The shapes of
/// <see cref="FuzzFindings"/> are part of every run (<see cref="FormerBug"/>).
/// </remarks>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_261_122;
    private const int DefaultCaseCount = 2_400;
    private const int BatchSize = 50;
    private const int ReportedFailures = 12;

    /// <summary>The files generated for each model, by the part of the hint name after its stem: the model API, training, interop.</summary>
    private static readonly string[] GeneratedParts = { ".Interop.g.cs", ".Training.g.cs", ".g.cs" };

    [Fact]
    public void RandomDeclarationsGetTheirExpectedOutcome()
    {
        int seed = Setting("FIXEDRNN_FUZZ_SEED", DefaultSeed);
        int count = Setting("FIXEDRNN_FUZZ_CASES", DefaultCaseCount);
        var clock = Stopwatch.StartNew();
        TimeSpan processorBefore = Process.GetCurrentProcess().TotalProcessorTime;

        List<FuzzCase> cases = new RandomDeclarations(seed, BatchSize).Create(count);
        FuzzCase[][] batches = cases.Chunk(BatchSize).ToArray();
        var results = new BatchResult[batches.Length];
        Parallel.For(0, batches.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, index => results[index] = RunBatch(index, batches[index]));

        TimeSpan processor = Process.GetCurrentProcess().TotalProcessorTime - processorBefore;
        // A generator exception first: it voids the whole batch's output and explains the failures after it.
        List<string> failures = results.SelectMany(result => result.Failures).OrderBy(failure => failure.Contains("the generator", StringComparison.Ordinal) ? 0 : 1).ToList();
        Report(seed, cases, results, failures.Count, clock.Elapsed, processor);
        Assert.True(failures.Count == 0, $"{failures.Count} fuzz failure(s) with seed {seed}; the first {Math.Min(failures.Count, ReportedFailures)}:\n\n" + string.Join("\n\n", failures.Take(ReportedFailures)));
    }

    /// <summary>
    /// Shapes the fuzz found mishandled, each reduced to a minimal declaration, with the outcome it must have:
    /// <c>valid</c> (every model gets its three files, and nothing in the compilation is an error or a warning in
    /// generated code), one FRNN id (that diagnostic alone, no source, no compiler error), or a compiler error id
    /// (reported, and no FRNN diagnostic and no source beside it). The fuzz generates each shape too (<see cref="FormerBug"/>).
    /// </summary>
    [Theory]
    [InlineData("CaseInsensitiveHintName", "[RecurrentModel(1)][Lstm(4)] public partial class Model;\n[RecurrentModel(1)][Lstm(4)] public partial class model;", "valid")]
    [InlineData("CaseInsensitiveHintName (namespaces)", "namespace A { [RecurrentModel(1)][Lstm(4)] public partial class M; }\nnamespace a { [RecurrentModel(1)][Lstm(4)] public partial class M; }", "valid")]
    [InlineData("KeywordIdentifier (namespace)", "namespace @event;\n[RecurrentModel(1)][Lstm(4)] public partial class M;", "valid")]
    [InlineData("KeywordIdentifier (type)", "[RecurrentModel(1)][Lstm(4)] public partial class @class;", "valid")]
    [InlineData("KeywordIdentifier (record)", "namespace @namespace;\n[RecurrentModel(2)][Rnn(4)] public partial class @record;", "valid")]
    [InlineData("KeywordIdentifier (extension)", "[RecurrentModel(2)][Rnn(4)] public partial class @extension;", "valid")]
    [InlineData("KeywordIdentifier (containing type)", "public partial class @struct { [RecurrentModel(1)][Lstm(4)] public partial class M; }", "valid")]
    [InlineData("MemberNamedLikeModel", "[RecurrentModel(1)][Lstm(4)] public partial class State;", "FRNN009")]
    [InlineData("MemberNamedLikeModel (Step)", "[RecurrentModel(1)][Lstm(4)] public partial class Step;", "FRNN009")]
    [InlineData("ContainerNamedLikeMember", "public partial class State { public partial class Trace { [RecurrentModel(1)][Gru(4)] public partial class M; } }", "valid")]
    [InlineData("FileLocalModel", "namespace N;\n[RecurrentModel(1)][Lstm(4)] file partial class F;", "FRNN010")]
    [InlineData("RecordStructModel", "[RecurrentModel(1)][Lstm(4)] public partial record struct R;", "CS0592")]
    [InlineData("MalformedNamedArgumentEmits (int)", "[RecurrentModel(1)][Rnn(4, Activation = 1)] public partial class X;", "CS0266")]
    [InlineData("MalformedNamedArgumentEmits (other enum)", "[RecurrentModel(1)][Lstm(4)][Dense(1, Activation = RnnActivation.Relu)] public partial class X;", "CS0266")]
    [InlineData("MalformedNamedArgumentEmits (unknown)", "[RecurrentModel(1)][Lstm(4, ResetAfter = true)] public partial class X;", "CS0246")]
    [InlineData("MalformedNamedArgumentEmits (repeated)", "[RecurrentModel(1)][Gru(4, ResetAfter = false, ResetAfter = true)] public partial class X;", "CS0643")]
    [InlineData("MissingIdentifier", "[RecurrentModel(1)][Lstm(4)] public partial class ;", "CS1001")]
    [InlineData("UserTypeNamedLikeFrameworkType", "namespace N;\n#pragma warning disable CS8981\npublic class nint { }\npublic class nuint { }\npublic static class Vector256 { }\npublic static class Unsafe { }\n#pragma warning restore CS8981\n[RecurrentModel(9)][Lstm(16)][Dense(1)] public partial class M;", "valid")]
    [InlineData("ParameterCountOverflow (just fits)", "[RecurrentModel(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(2048)] public partial class Large;", "valid")]
    [InlineData("PrivateNestedModel", "public partial class Outer { [RecurrentModel(1)][Lstm(4)] private partial class M; }", "valid")]
    [InlineData("PrivateNestedModel (default access)", "public partial record Outer { [RecurrentModel(1)][Gru(4)] partial record M; }", "valid")]
    [InlineData("ProtectedNestedModel", "public partial class Outer { [RecurrentModel(1)][Rnn(4)] protected partial class M; }", "valid")]
    [InlineData("ParameterCountOverflow", "[RecurrentModel(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)][Lstm(4096)] public partial class Huge;", "FRNN011")]
    public void FuzzFindings(string bug, string declaration, string expected)
    {
        (GeneratorRunResult result, Compilation compilation) = GeneratorDriver.Run("using FixedRnn;\n" + declaration);

        Assert.True(result.Exception is null, $"{bug}: the generator threw {result.Exception}");
        var errors = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToList();
        if (expected == "valid")
        {
            Assert.Empty(result.Diagnostics);
            int models = declaration.Split("[RecurrentModel(").Length - 1;
            Assert.Equal(models * GeneratedParts.Length, result.GeneratedSources.Length);
            Assert.True(errors.Count == 0, $"{bug}: accepted, but the compilation has errors:\n" + string.Join("\n", errors.Take(5)));
            var generatedTrees = result.GeneratedSources.Select(generated => generated.SyntaxTree).ToHashSet();
            var warnings = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning && diagnostic.Location.SourceTree is { } tree && generatedTrees.Contains(tree)).ToList();
            Assert.True(warnings.Count == 0, $"{bug}: the generated code has diagnostics:\n" + string.Join("\n", warnings.Take(5)));
        }
        else if (expected.StartsWith("FRNN", StringComparison.Ordinal))
        {
            Assert.Equal(expected, Assert.Single(result.Diagnostics).Id);
            Assert.Empty(result.GeneratedSources);
            Assert.True(errors.Count == 0, $"{bug}: rejected with {expected}, but the user code also has errors:\n" + string.Join("\n", errors.Take(5)));
        }
        else
        {
            Assert.Contains(errors, error => error.Id == expected);
            Assert.Empty(result.Diagnostics);
            Assert.Empty(result.GeneratedSources);
        }
    }

    // ---- One batch: one compilation, one generator run ----

    private static BatchResult RunBatch(int batchIndex, FuzzCase[] cases)
    {
        var batch = new BatchResult();
        var texts = new List<StringBuilder> { new("using FixedRnn;\n") };
        var ownTrees = new Dictionary<string, int>(StringComparer.Ordinal);
        var fragments = new List<Fragment>();
        foreach (FuzzCase fuzzCase in cases)
        {
            foreach ((string? key, string text) in fuzzCase.Render())
            {
                int tree = 0;
                if (key is not null && !ownTrees.TryGetValue(key, out tree))
                {
                    tree = texts.Count;
                    ownTrees.Add(key, tree);
                    texts.Add(new StringBuilder("using FixedRnn;\n"));
                }

                StringBuilder builder = texts[tree];
                fragments.Add(new Fragment(tree, builder.Length, builder.Length + text.Length, fuzzCase));
                builder.Append(text).Append('\n');
            }
        }

        string[] sources = texts.Select(text => text.ToString()).ToArray();
        var phase = Stopwatch.StartNew();
        (GeneratorRunResult result, Compilation compilation) = GeneratorDriver.Run(sources);
        batch.GeneratorTime = phase.Elapsed;
        var observed = cases.ToDictionary(fuzzCase => fuzzCase, _ => new Observed());

        void Fail(string message) => batch.Failures.Add($"batch {batchIndex}: {message}");

        FuzzCase? CaseAt(string path, TextSpan span)
        {
            if (!path.StartsWith("Model", StringComparison.Ordinal) || !int.TryParse(path.AsSpan(5, path.Length - 8), NumberStyles.None, CultureInfo.InvariantCulture, out int tree))
            {
                return null;
            }

            return fragments.FirstOrDefault(fragment => fragment.Tree == tree && fragment.Start <= span.Start && span.End <= fragment.End)?.Case;
        }

        // The generator never throws, and reports nothing but FRNN diagnostics, each on a case's own source.
        if (result.Exception is not null)
        {
            Fail($"the generator threw {result.Exception.GetType().Name}: {result.Exception.Message}\n  cases {cases[0].Id}..{cases[^1].Id}");
        }

        foreach (Diagnostic diagnostic in result.Diagnostics)
        {
            if (diagnostic.Id is "CS8784" or "CS8785")
            {
                Fail($"the generator failed ({diagnostic.Id}): {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
                continue;
            }

            if (!diagnostic.Id.StartsWith("FRNN", StringComparison.Ordinal))
            {
                Fail($"unexpected generator diagnostic {diagnostic}");
                continue;
            }

            FileLinePositionSpan lineSpan = diagnostic.Location.GetLineSpan();
            FuzzCase? owner = diagnostic.Location == Location.None ? null : CaseAt(lineSpan.Path, diagnostic.Location.SourceSpan);
            if (owner is null)
            {
                Fail($"{diagnostic.Id} at '{lineSpan}' belongs to no case: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
                continue;
            }

            string source = sources[int.Parse(lineSpan.Path.AsSpan(5, lineSpan.Path.Length - 8), CultureInfo.InvariantCulture)];
            observed[owner].Frnn.Add(new ObservedDiagnostic(diagnostic.Id, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length), diagnostic.GetMessage(CultureInfo.InvariantCulture), diagnostic.Severity));
        }

        // Generated files belong to the case whose declared type they extend.
        var userTrees = compilation.SyntaxTrees.Where(tree => tree.FilePath.StartsWith("Model", StringComparison.Ordinal)).ToDictionary(tree => tree.FilePath, StringComparer.Ordinal);
        var caseByType = new Dictionary<ISymbol, FuzzCase>(SymbolEqualityComparer.Default);
        foreach (IGrouping<FuzzCase, Fragment> caseFragments in fragments.GroupBy(fragment => fragment.Case))
        {
            FuzzCase fuzzCase = caseFragments.Key;
            if (!fuzzCase.IsTypeShape)
            {
                continue;
            }

            Fragment main = caseFragments.First();
            SyntaxTree tree = userTrees[$"Model{main.Tree}.cs"];
            string name = fuzzCase.Name.TrimStart('@');
            TypeDeclarationSyntax? declaration = tree.GetRoot().DescendantNodes(TextSpan.FromBounds(main.Start, main.End))
                .OfType<TypeDeclarationSyntax>()
                .FirstOrDefault(node => node.Identifier.ValueText == name && node.SpanStart >= main.Start && node.Span.End <= main.End);
            if (declaration is not null && compilation.GetSemanticModel(tree).GetDeclaredSymbol(declaration) is INamedTypeSymbol symbol)
            {
                observed[fuzzCase].Type = symbol;
                caseByType.TryAdd(symbol, fuzzCase);
            }
        }

        foreach (GeneratedSourceResult generated in result.GeneratedSources)
        {
            // A generated file belongs to the case whose type it declares a part of. It redeclares the model's
            // containers too, and the kernels live in FixedRnn.Generated, so that type is the only case type in it.
            SemanticModel semantics = compilation.GetSemanticModel(generated.SyntaxTree);
            List<FuzzCase> owners = generated.SyntaxTree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
                .Select(node => semantics.GetDeclaredSymbol(node))
                .Select(symbol => symbol is not null && caseByType.TryGetValue(symbol, out FuzzCase? owner) ? owner : null)
                .OfType<FuzzCase>()
                .Distinct()
                .ToList();
            if (owners.Count == 1)
            {
                observed[owners[0]].Generated.Add(generated);
                continue;
            }

            FuzzCase? named = cases.FirstOrDefault(fuzzCase => generated.HintName.StartsWith(fuzzCase.FullName.Replace("@", string.Empty, StringComparison.Ordinal) + ".", StringComparison.Ordinal));
            Fail(owners.Count > 1
                ? $"generated '{generated.HintName}' extends the types of several cases: {string.Join(", ", owners.Select(owner => owner.Id))}"
                : named is null
                    ? $"generated '{generated.HintName}' extends no declared type of any case"
                    : $"generated '{generated.HintName}' does not extend the type it was generated for: {named.Describe()}\n{Excerpt(named)}");
        }

        // Compiler diagnostics: the user files in full, the generated files in full for valid models and
        // at declaration level otherwise (where a clash with a user member is reported).
        phase.Restart();
        foreach (SyntaxTree tree in userTrees.Values)
        {
            foreach (Diagnostic diagnostic in compilation.GetSemanticModel(tree).GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error))
            {
                FuzzCase? owner = CaseAt(tree.FilePath, diagnostic.Location.SourceSpan);
                if (owner is null)
                {
                    Fail($"compiler error outside every case: {diagnostic}");
                    continue;
                }

                observed[owner].UserErrors.Add(diagnostic);
            }
        }

        batch.UserDiagnosticsTime = phase.Elapsed;
        phase.Restart();
        foreach ((FuzzCase fuzzCase, Observed seen) in observed)
        {
            foreach (SyntaxTree tree in seen.Generated.Select(generated => generated.SyntaxTree))
            {
                SemanticModel model = compilation.GetSemanticModel(tree);
                if (fuzzCase.Verdict == Verdict.Valid)
                {
                    seen.GeneratedDiagnostics.AddRange(model.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
                }
                else
                {
                    seen.GeneratedDiagnostics.AddRange(model.GetDeclarationDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
                }
            }
        }

        batch.GeneratedDiagnosticsTime = phase.Elapsed;
        foreach ((FuzzCase fuzzCase, Observed seen) in observed)
        {
            List<string> problems = Check(fuzzCase, seen);
            if (problems.Count > 0)
            {
                Fail($"{fuzzCase.Describe()}\n  - {string.Join("\n  - ", problems)}\n{Excerpt(fuzzCase)}");
            }

            batch.GeneratedFiles += seen.Generated.Count;
            batch.FixedRnnDiagnostics += seen.Frnn.Count;
            batch.CompilerErrors += seen.UserErrors.Count;
        }

        return batch;
    }

    /// <summary>What went wrong for one case, measured against its expected outcome.</summary>
    private static List<string> Check(FuzzCase fuzzCase, Observed seen)
    {
        var problems = new List<string>();
        string Reported() => seen.Frnn.Count == 0 ? "none" : string.Join(", ", seen.Frnn.Select(diagnostic => $"{diagnostic.Id} on '{diagnostic.Text}'"));
        string Errors(IEnumerable<Diagnostic> diagnostics) => string.Join("; ", diagnostics.Take(4).Select(diagnostic => $"{diagnostic.Id} {diagnostic.GetMessage(CultureInfo.InvariantCulture)}"));

        foreach (ObservedDiagnostic diagnostic in seen.Frnn)
        {
            if (diagnostic.Severity != DiagnosticSeverity.Error)
            {
                problems.Add($"{diagnostic.Id} has severity {diagnostic.Severity}");
            }

            if (diagnostic.Message.Contains('{', StringComparison.Ordinal))
            {
                problems.Add($"{diagnostic.Id} message has an unfilled placeholder: {diagnostic.Message}");
            }
        }

        switch (fuzzCase.Verdict)
        {
            case Verdict.Valid:
                if (seen.Frnn.Count > 0)
                {
                    problems.Add($"valid, but reported {Reported()}");
                }

                string[] parts = seen.Generated.Select(generated => PartOf(generated.HintName)).Order(StringComparer.Ordinal).ToArray();
                if (!parts.SequenceEqual(GeneratedParts))
                {
                    problems.Add($"valid, but the files generated for it are [{string.Join(", ", seen.Generated.Select(generated => generated.HintName))}], not one of each of {string.Join(", ", GeneratedParts)}");
                }

                if (seen.UserErrors.Count > 0)
                {
                    problems.Add($"valid, but the user code has errors: {Errors(seen.UserErrors)}");
                }

                if (seen.GeneratedDiagnostics.Count > 0)
                {
                    problems.Add($"the generated code has errors or warnings: {Errors(seen.GeneratedDiagnostics)}");
                }

                if (seen.Type is not null && seen.Generated.Count > 0)
                {
                    CheckConstant(seen.Type, "InputSize", fuzzCase.ExpectedInputSize, problems);
                    CheckConstant(seen.Type, "OutputSize", fuzzCase.ExpectedOutputSize, problems);
                    CheckConstant(seen.Type, "LayerCount", fuzzCase.ExpectedLayerCount, problems);
                    CheckConstant(seen.Type, "ParameterCount", fuzzCase.ExpectedParameterCount, problems);
                }

                break;

            case Verdict.FixedRnnError:
                var unmatched = seen.Frnn.Select(diagnostic => (diagnostic.Id, diagnostic.Text)).ToList();
                foreach (ExpectedDiagnostic expected in fuzzCase.Required)
                {
                    if (!unmatched.Remove((expected.Id, expected.Text)))
                    {
                        problems.Add($"missing {expected.Id} on '{expected.Text}' (reported: {Reported()})");
                    }
                }

                foreach ((string id, string text) in unmatched)
                {
                    if (!fuzzCase.Allowed.Contains(id))
                    {
                        problems.Add($"unexpected {id} on '{text}'");
                    }
                }

                foreach (ObservedDiagnostic diagnostic in seen.Frnn.Where(diagnostic => diagnostic.Id is "FRNN002" or "FRNN003" or "FRNN004" or "FRNN007" or "FRNN008" or "FRNN009" or "FRNN010" or "FRNN011" or "FRNN013"))
                {
                    string name = fuzzCase.Name.TrimStart('@');
                    if (!diagnostic.Message.Contains($"'{name}'", StringComparison.Ordinal))
                    {
                        problems.Add($"{diagnostic.Id} message does not name '{name}': {diagnostic.Message}");
                    }
                }

                foreach (ObservedDiagnostic diagnostic in seen.Frnn.Where(diagnostic => diagnostic.Id == "FRNN011"))
                {
                    string count = $"needs {fuzzCase.MainParameterCount()} parameters, more than one .NET array can hold ({FuzzCase.MaximumParameterCount})";
                    if (!diagnostic.Message.Contains(count, StringComparison.Ordinal))
                    {
                        problems.Add($"FRNN011 message does not say '{count}': {diagnostic.Message}");
                    }
                }

                if (seen.Generated.Count > 0)
                {
                    problems.Add("rejected, yet source was generated");
                }

                if (seen.UserErrors.Count > 0)
                {
                    problems.Add($"meant to be valid C#, but the compiler reports: {Errors(seen.UserErrors)}");
                }

                break;

            case Verdict.CompilerError:
                var errors = seen.UserErrors.Concat(seen.GeneratedDiagnostics).ToList();
                if (errors.Count == 0 || (fuzzCase.CompilerErrors.Count > 0 && !errors.Any(error => fuzzCase.CompilerErrors.Contains(error.Id))))
                {
                    problems.Add($"expected a compiler error {string.Join("|", fuzzCase.CompilerErrors)}, got: {(errors.Count == 0 ? "none" : Errors(errors))}");
                }

                foreach (ObservedDiagnostic diagnostic in seen.Frnn.Where(diagnostic => !fuzzCase.Allowed.Contains(diagnostic.Id)))
                {
                    problems.Add($"unexpected {diagnostic.Id} on '{diagnostic.Text}'");
                }

                if (!fuzzCase.SourceAllowed && seen.Generated.Count > 0)
                {
                    problems.Add("the compiler rejects the attributes, yet source was generated");
                }

                break;

            case Verdict.Ignored:
                if (seen.Frnn.Count > 0)
                {
                    problems.Add($"not a model, but reported {Reported()}");
                }

                if (seen.Generated.Count > 0)
                {
                    problems.Add("not a model, yet source was generated");
                }

                if (seen.UserErrors.Count > 0)
                {
                    problems.Add($"meant to be valid C#, but the compiler reports: {Errors(seen.UserErrors)}");
                }

                break;
        }

        return problems;
    }

    private static void CheckConstant(INamedTypeSymbol type, string name, long expected, List<string> problems)
    {
        object? value = type.GetMembers(name).OfType<IFieldSymbol>().FirstOrDefault()?.ConstantValue;
        if (value is not int actual || actual != expected)
        {
            problems.Add($"{name} is {value ?? "missing"}, expected {expected}");
        }
    }

    private static string PartOf(string hintName)
        => GeneratedParts.Where(part => part != ".g.cs").FirstOrDefault(part => hintName.EndsWith(part, StringComparison.Ordinal)) ?? ".g.cs";

    private static string Excerpt(FuzzCase fuzzCase)
    {
        string source = string.Join("\n//---- another file\n", fuzzCase.Render().Select(fragment => fragment.Text));
        return source.Length <= 1200 ? source : source.Substring(0, 1200) + "\n...";
    }

    private void Report(int seed, List<FuzzCase> cases, BatchResult[] results, int failures, TimeSpan elapsed, TimeSpan processor)
    {
        string Seconds(Func<BatchResult, TimeSpan> phase) => results.Sum(result => phase(result).TotalSeconds).ToString("F1", CultureInfo.InvariantCulture);
        output.WriteLine($"FixedRnn generator fuzz: seed {seed}, {cases.Count} cases in {results.Length} compilations of up to {BatchSize}.");
        output.WriteLine($"{elapsed.TotalSeconds:F1} s elapsed, {processor.TotalSeconds:F1} s processor time on {Environment.ProcessorCount} cores.");
        output.WriteLine($"Summed over batches: generator runs {Seconds(result => result.GeneratorTime)} s, user-code diagnostics {Seconds(result => result.UserDiagnosticsTime)} s, generated-code diagnostics {Seconds(result => result.GeneratedDiagnosticsTime)} s.");
        output.WriteLine($"{results.Sum(result => result.GeneratedFiles)} generated files, {results.Sum(result => result.FixedRnnDiagnostics)} FRNN diagnostics, {results.Sum(result => result.CompilerErrors)} compiler errors in user code; {failures} failure(s).");
        output.WriteLine(string.Empty);
        output.WriteLine($"{"category",-45}{"cases",7}{"valid",7}{"FRNN",7}{"C#",7}{"ignored",9}");
        foreach (IGrouping<string, FuzzCase> category in cases.GroupBy(fuzzCase => fuzzCase.Category).OrderBy(group => Array.FindIndex(RandomDeclarations.Categories, entry => entry.Name == group.Key)))
        {
            int Count(Verdict verdict) => category.Count(fuzzCase => fuzzCase.Verdict == verdict);
            output.WriteLine($"{category.Key,-45}{category.Count(),7}{Count(Verdict.Valid),7}{Count(Verdict.FixedRnnError),7}{Count(Verdict.CompilerError),7}{Count(Verdict.Ignored),9}");
        }

        output.WriteLine(string.Empty);
        output.WriteLine("Expected FRNN diagnostics: " + string.Join(", ", cases.SelectMany(fuzzCase => fuzzCase.Required).GroupBy(expected => expected.Id).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => $"{group.Key} {group.Count()}")));
        output.WriteLine("Expected compiler errors: " + string.Join(", ", cases.Where(fuzzCase => fuzzCase.Verdict == Verdict.CompilerError).SelectMany(fuzzCase => fuzzCase.CompilerErrors).GroupBy(id => id).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => $"{group.Key} {group.Count()}")));
        output.WriteLine("Placement: " + string.Join(", ", cases.GroupBy(fuzzCase => fuzzCase.Placement).Select(group => $"{group.Key} {group.Count()}"))
            + $"; nested {cases.Count(fuzzCase => fuzzCase.Containers.Count > 0)}; several partial declarations {cases.Count(fuzzCase => fuzzCase.OtherParts.Count > 0)} (in another file {cases.Count(fuzzCase => fuzzCase.OtherParts.Any(part => part.OtherTree))}).");
        var validSizes = cases.Where(fuzzCase => fuzzCase.Verdict == Verdict.Valid)
            .SelectMany(fuzzCase => fuzzCase.MainItems.OfType<LayerAttribute>().Select(layer => layer.SizeValue).Append(fuzzCase.ExpectedInputSize))
            .ToList();
        output.WriteLine($"Valid models: {validSizes.Count(size => size == 1)} sizes of 1, {validSizes.Count(size => size == 4096)} of 4096, {cases.Count(fuzzCase => fuzzCase.Verdict == Verdict.Valid && fuzzCase.MainItems.OfType<LayerAttribute>().Count() > 1)} with several layers.");
        output.WriteLine("Former generator bugs' shapes: " + string.Join(", ", Enum.GetValues<FormerBug>().Skip(1).Select(bug => $"{bug} {cases.Count(fuzzCase => fuzzCase.Bugs.Contains(bug))}")));
    }

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;

    private sealed record Fragment(int Tree, int Start, int End, FuzzCase Case);

    private sealed record ObservedDiagnostic(string Id, string Text, string Message, DiagnosticSeverity Severity);

    private sealed class Observed
    {
        public List<ObservedDiagnostic> Frnn { get; } = new();

        public List<GeneratedSourceResult> Generated { get; } = new();

        public List<Diagnostic> UserErrors { get; } = new();

        public List<Diagnostic> GeneratedDiagnostics { get; } = new();

        public INamedTypeSymbol? Type { get; set; }
    }

    private sealed class BatchResult
    {
        public List<string> Failures { get; } = new();

        public int GeneratedFiles { get; set; }

        public int FixedRnnDiagnostics { get; set; }

        public int CompilerErrors { get; set; }

        public TimeSpan GeneratorTime { get; set; }

        public TimeSpan UserDiagnosticsTime { get; set; }

        public TimeSpan GeneratedDiagnosticsTime { get; set; }
    }
}
