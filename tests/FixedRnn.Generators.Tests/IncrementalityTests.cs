using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>The pipeline caches: edits that do not touch a model leave its steps cached.</summary>
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
        """;

    private static readonly string[] TrackedSteps = { TrackingNames.Parse, TrackingNames.Diagnostics, TrackingNames.Models };

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
            IncrementalGeneratorRunStep[] runs = result.TrackedSteps[step].ToArray();
            Assert.NotEmpty(runs);
            Assert.All(
                runs.SelectMany(run => run.Outputs),
                output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"Step {step} ran with reason {output.Reason}."));
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

        Assert.All(
            result.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs),
            output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Models ran with reason {output.Reason}."));
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
