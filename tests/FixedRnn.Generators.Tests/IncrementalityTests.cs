using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>
/// The pipeline caches: edits that do not touch a model leave its steps cached, and edits that do regenerate exactly
/// what they change.
/// </summary>
public sealed class IncrementalityTests
{
    private const string Model = """
        using FixedRnn;

        namespace Sample;

        [RecurrentModel(inputSize: 2)]
        [Lstm(16)]
        [Dense(1)]
        public partial class Predictor;

        [RecurrentModel(inputSize: 0)]
        [Gru(4)]
        public partial class Invalid;

        [Rnn(3)]
        public partial class Forgotten;
        """;

    /// <summary>Every step the generator names, so that a step added later is tracked here too.</summary>
    private static readonly string[] TrackedSteps = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void EveryStepIsTracked()
    {
        Assert.Equal(
            new[] { TrackingNames.Diagnostics, TrackingNames.LanguageVersion, TrackingNames.Models, TrackingNames.OrphanLayers, TrackingNames.Parse, TrackingNames.Plan },
            TrackedSteps.Order(StringComparer.Ordinal));
        GeneratorRunResult result = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(GeneratorDriver.Compile(Model)).GetRunResult().Results.Single();
        Assert.All(TrackedSteps, step => Assert.NotEmpty(Outputs(result, step)));
    }

    [Fact]
    public void UnrelatedEditLeavesEveryStepCachedOrUnchanged()
    {
        CSharpCompilation compilation = GeneratorDriver.Compile(Model, "namespace Sample; public class Other { }");
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(compilation);

        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            other,
            CSharpSyntaxTree.ParseText("namespace Sample; public class Other { public int Added; }", GeneratorDriver.ParseOptions, other.FilePath));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            Assert.NotEmpty(Outputs(result, step));
            AssertReused(result, step);
        }
    }

    [Fact]
    public void EditInsideTheModelFileRegeneratesOnlyWhatChanged()
    {
        CSharpCompilation compilation = GeneratorDriver.Compile(Model);
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(compilation);

        // A comment shifts locations but not the model: the emitted model is unchanged.
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(0, 0, "// moved\n")));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        AssertReused(result, TrackingNames.Models);
    }

    [Fact]
    public void AnEditThatMattersRegenerates()
    {
        CSharpCompilation compilation = GeneratorDriver.Compile(Model);
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult before = driver.GetRunResult().Results.Single();

        GeneratorRunResult after = driver.RunGenerators(Edit(compilation, "[Lstm(16)]", "[Lstm(17)]")).GetRunResult().Results.Single();

        // The predictor is read, planned and emitted again; the invalid model and the orphan layer are not.
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Parse), output => ((ParseResult)output.Value).Spec?.Name == "Predictor").Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Plan), output => ((PlanResult)output.Value).Plan?.Name == "Predictor").Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Models)).Reason);
        Assert.Equal(17, ((ModelPlan)Assert.Single(Outputs(after, TrackingNames.Models)).Value).Layers[0].Size);
        AssertReused(after, TrackingNames.Parse, output => ((ParseResult)output.Value).Spec?.Name != "Predictor");
        AssertReused(after, TrackingNames.Plan, output => ((PlanResult)output.Value).Plan is null);
        AssertReused(after, TrackingNames.Diagnostics);
        AssertReused(after, TrackingNames.OrphanLayers);

        // Every generated file of the predictor says so: its sizes are in all three.
        Assert.Equal(3, after.GeneratedSources.Length);
        Assert.Equal(Texts(before).Keys, Texts(after).Keys);
        Assert.All(Texts(after), file => Assert.NotEqual(Texts(before)[file.Key], file.Value));
        Assert.Contains("LSTM 2 → 17", Texts(after).Single(file => !file.Key.EndsWith(".Training.g.cs", StringComparison.Ordinal) && !file.Key.EndsWith(".Interop.g.cs", StringComparison.Ordinal)).Value);
    }

    [Fact]
    public void ADiagnosticsOnlyChangeLeavesTheModelsCached()
    {
        CSharpCompilation compilation = GeneratorDriver.Compile(Model);
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult before = driver.GetRunResult().Results.Single();

        GeneratorRunResult after = driver.RunGenerators(Edit(compilation, "inputSize: 0", "inputSize: -1")).GetRunResult().Results.Single();

        Assert.Contains(Outputs(after, TrackingNames.Diagnostics), output => output.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Assert.Contains("InputSize is -1", Assert.Single(after.Diagnostics, diagnostic => diagnostic.Id == "FRNN005").GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Parse), output => ((ParseResult)output.Value).Spec?.Name == "Invalid").Reason);
        AssertReused(after, TrackingNames.Models);
        Assert.Equal(Texts(before), Texts(after));
    }

    [Fact]
    public void ALanguageVersionChangeReplansAndChangesTheLoadersParams()
    {
        var csharp13 = new CSharpParseOptions(LanguageVersion.CSharp13);
        var csharp12 = new CSharpParseOptions(LanguageVersion.CSharp12);
        CSharpCompilation compilation = GeneratorDriver.Compile(csharp13, GeneratorDriver.CompilationOptions(nullable: true), Model);
        Microsoft.CodeAnalysis.GeneratorDriver driver = GeneratorDriver.CreateDriver(csharp13, trackSteps: true).RunGenerators(compilation);
        GeneratorRunResult before = driver.GetRunResult().Results.Single();

        // A project's LangVersion changes its parse options, and with them every tree's.
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation reparsed = compilation.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(tree.GetRoot(), csharp12));
        GeneratorRunResult after = driver.WithUpdatedParseOptions(csharp12).RunGenerators(reparsed).GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.LanguageVersion)).Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Plan), output => ((PlanResult)output.Value).Plan?.Name == "Predictor").Reason);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Models)).Reason);

        const string ParamsLoader = "public void LoadPyTorch(string path, params global::System.ReadOnlySpan<string> modules)";
        const string PlainLoader = "public void LoadPyTorch(string path, global::System.ReadOnlySpan<string> modules)";
        string interopBefore = Texts(before).Single(file => file.Key.EndsWith(".Interop.g.cs", StringComparison.Ordinal)).Value;
        string interopAfter = Texts(after).Single(file => file.Key.EndsWith(".Interop.g.cs", StringComparison.Ordinal)).Value;
        Assert.Contains(ParamsLoader, interopBefore);
        Assert.DoesNotContain(PlainLoader, interopBefore);
        Assert.Contains(PlainLoader, interopAfter);
        Assert.DoesNotContain("params ", interopAfter);
    }

    [Fact]
    public void PipelineValuesHoldNoSymbolsSyntaxOrCompilation()
    {
        CSharpCompilation compilation = GeneratorDriver.Compile(Model);
        GeneratorRunResult result = GeneratorDriver.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            foreach ((object value, IncrementalStepRunReason _) in result.TrackedSteps[step].SelectMany(run => run.Outputs))
            {
                AssertHoldsNoCompilerObjects(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
            }
        }
    }

    private static CSharpCompilation Edit(CSharpCompilation compilation, string find, string replace)
    {
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        string text = tree.GetText().ToString();
        int at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0 && text.IndexOf(find, at + 1, StringComparison.Ordinal) < 0, $"'{find}' must occur once.");
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(at, find.Length, replace)));
    }

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step)
        => result.TrackedSteps.TryGetValue(step, out var runs) ? runs.SelectMany(run => run.Outputs).ToList() : new();

    /// <summary>Asserts that every output of <paramref name="step"/> (that <paramref name="which"/> selects) was reused rather than recomputed into something new.</summary>
    private static void AssertReused(GeneratorRunResult result, string step, Func<(object Value, IncrementalStepRunReason Reason), bool>? which = null)
    {
        List<(object Value, IncrementalStepRunReason Reason)> outputs = Outputs(result, step).Where(which ?? (_ => true)).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.True(
            output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"Step {step} ran with reason {output.Reason}."));
    }

    private static Dictionary<string, string> Texts(GeneratorRunResult result)
        => result.GeneratedSources.ToDictionary(source => source.HintName, source => source.SourceText.ToString(), StringComparer.Ordinal);

    private static void AssertHoldsNoCompilerObjects(object? value, HashSet<object> visited, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(value is ISymbol or Compilation or SyntaxNode or SyntaxTree or SemanticModel, $"{path} holds a {value.GetType().Name}.");
        if (value is DiagnosticDescriptor or LocalizableString)
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (object? item in sequence)
            {
                AssertHoldsNoCompilerObjects(item, visited, $"{path}[{index++}]");
            }
        }

        for (Type? type = value.GetType(); type is not null; type = type.BaseType)
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (!field.FieldType.IsPointer)
                {
                    AssertHoldsNoCompilerObjects(field.GetValue(value), visited, $"{path}.{field.Name}");
                }
            }
        }
    }
}
