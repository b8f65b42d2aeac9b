using System.Linq;
using FixedRnn.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>One test per diagnostic id: the id, the message, and the location it points at.</summary>
public sealed class DiagnosticTests
{
    private string _source = string.Empty;

    [Fact]
    public void FRNN001_TypeNotPartial()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            public class Whole;
            """);

        AssertDiagnostic(diagnostic, "FRNN001", "Whole", "'Whole' must be declared partial");
    }

    [Fact]
    public void FRNN001_ContainingTypeNotPartial()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            public class Outer
            {
                [RecurrentModel(inputSize: 1)]
                [Lstm(4)]
                public partial class Inner;
            }
            """);

        AssertDiagnostic(diagnostic, "FRNN001", "Outer", "'Outer' must be declared partial");
    }

    [Fact]
    public void FRNN002_StaticType()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            public static partial class Fixed;
            """);

        AssertDiagnostic(diagnostic, "FRNN002", "Fixed", "'Fixed' is static");
    }

    [Fact]
    public void FRNN003_NestedInGenericType()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            public partial class Outer<T>
            {
                [RecurrentModel(inputSize: 1)]
                [Lstm(4)]
                public partial class Inner;
            }
            """);

        AssertDiagnostic(diagnostic, "FRNN003", "Inner", "generic or nested in a generic type");
    }

    [Fact]
    public void FRNN003_GenericType()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            public partial class Model<T>;
            """);

        AssertDiagnostic(diagnostic, "FRNN003", "Model", "generic or nested in a generic type");
    }

    [Theory]
    [InlineData("")]
    [InlineData("[Dense(1)]")]
    public void FRNN004_NoRecurrentLayer(string layers)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 1)]
            {layers}
            public partial class Empty;
            """);

        AssertDiagnostic(diagnostic, "FRNN004", "Empty", "declares no recurrent layer");
    }

    [Theory]
    [InlineData("[RecurrentModel(inputSize: 0)][Lstm(4)]", "0", "InputSize is 0; it must be between 1 and 4096")]
    [InlineData("[RecurrentModel(inputSize: 1)][Lstm(-3)]", "-3", "HiddenSize is -3; it must be between 1 and 4096")]
    [InlineData("[RecurrentModel(inputSize: 1)][Gru(4097)]", "4097", "HiddenSize is 4097; it must be between 1 and 4096")]
    [InlineData("[RecurrentModel(inputSize: 1)][Rnn(int.MaxValue)]", "int.MaxValue", "HiddenSize is 2147483647")]
    [InlineData("[RecurrentModel(inputSize: 1)][Rnn(4)][Dense(0)]", "0", "OutputSize is 0; it must be between 1 and 4096")]
    public void FRNN005_SizeOutOfRange(string attributes, string flagged, string message)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            {attributes}
            public partial class Sized;
            """);

        AssertDiagnostic(diagnostic, "FRNN005", flagged, message);
    }

    [Theory]
    [InlineData("[Rnn(4, Activation = (RnnActivation)7)]", "(RnnActivation)7 is not a defined RnnActivation value; use one of Tanh, Relu")]
    [InlineData("[Rnn(4)][Dense(1, Activation = (DenseActivation)(-1))]", "(DenseActivation)-1 is not a defined DenseActivation value; use one of Identity, Tanh, Sigmoid, Relu")]
    public void FRNN006_UndefinedEnumValue(string layers, string message)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 1)]
            {layers}
            public partial class Activated;
            """);

        Assert.Equal("FRNN006", diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage());
        Assert.StartsWith("Activation = ", SpanText(diagnostic));
    }

    [Fact]
    public void FRNN006_UndefinedMergeValue()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4, Bidirectional = true, Merge = (BidirectionalMerge)9)]
            public partial class Merged;
            """);

        Assert.Equal("FRNN006", diagnostic.Id);
        Assert.Equal("(BidirectionalMerge)9 is not a defined BidirectionalMerge value; use one of Concat, Sum, Average, Multiply", diagnostic.GetMessage());
        Assert.StartsWith("Merge = ", SpanText(diagnostic));
    }

    [Theory]
    [InlineData("Lstm")]
    [InlineData("Gru")]
    [InlineData("Rnn")]
    public void FRNN017_MergeWithoutBidirectional(string kind)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 1)]
            [{kind}(4, Merge = BidirectionalMerge.Sum)]
            public partial class OneDirection;
            """);

        AssertDiagnostic(diagnostic, "FRNN017", "Merge = BidirectionalMerge.Sum", $"[{kind}] sets Merge but not Bidirectional = true");
    }

    [Fact]
    public void BidirectionalFalseWithMergeIsFrnn025()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Gru(4, Bidirectional = false, Merge = BidirectionalMerge.Concat)]
            public partial class Explicit;
            """);

        Assert.Equal("FRNN017", diagnostic.Id);
    }

    [Fact]
    public void FRNN007_DenseNotLast()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Dense(8)]
            [Lstm(4)]
            public partial class Upside;
            """);

        AssertDiagnostic(diagnostic, "FRNN007", "Dense(8)", "[Dense] must be the last layer of 'Upside'");
    }

    [Fact]
    public void FRNN008_LayersSplitAcrossDeclarations()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            public partial class Split;

            [Gru(4)]
            public partial class Split;
            """);

        AssertDiagnostic(diagnostic, "FRNN008", "Gru(4)", "Layer attributes of 'Split' must all be on the partial declaration that carries [RecurrentModel]");
    }

    [Theory]
    [InlineData("State")]
    [InlineData("Step")]
    [InlineData("Parameters")]
    [InlineData("_parameters")]
    public void FRNN009_NameCollidesWithGeneratedMember(string name)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            public partial class {name};
            """);

        AssertDiagnostic(diagnostic, "FRNN009", name, $"cannot be named '{name}'");
    }

    [Fact]
    public void FRNN009_ReservesExactlyTheMembersTheGeneratorAdds()
    {
        // Every kind, a Dense head and an LSTM (the only models with a cell state), so that every member appears.
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run("""
            using FixedRnn;
            [RecurrentModel(9)][Lstm(8)][Dense(1)] public partial class A;
            [RecurrentModel(2)][Gru(4, ResetAfter = false)][Rnn(3)] public partial class B;
            """);
        Assert.Empty(result.Diagnostics);
        var generatedTrees = result.GeneratedSources.Select(generated => generated.SyntaxTree).ToHashSet();

        // The members declared only in generated files, as a user sees them: explicit interface implementations
        // cannot clash with a type name, and accessors (get_Parameters) are left aside as no name anyone gives a model.
        var added = new[] { "A", "B" }
            .SelectMany(name => output.GetTypeByMetadataName(name)!.GetMembers())
            .Where(member => !member.IsImplicitlyDeclared && member.DeclaringSyntaxReferences.Length > 0 && member.DeclaringSyntaxReferences.All(reference => generatedTrees.Contains(reference.SyntaxTree)))
            .Where(member => member is not IMethodSymbol { MethodKind: not MethodKind.Ordinary } and not IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 })
            .Select(member => member.Name)
            .ToHashSet(System.StringComparer.Ordinal);

        var unreserved = added.Except(ModelParser.GeneratedMemberNames).Order(System.StringComparer.Ordinal).ToList();
        var neverAdded = ModelParser.GeneratedMemberNames.Except(added).Order(System.StringComparer.Ordinal).ToList();
        string Clash(string name)
        {
            (GeneratorRunResult named, Compilation compiled) = GeneratorDriver.Run($"using FixedRnn;\n[RecurrentModel(9)][Lstm(8)][Dense(1)] public partial class {name};");
            Diagnostic? first = named.Diagnostics.Concat(compiled.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)).FirstOrDefault();
            return $"a model named '{name}': {first?.ToString() ?? "no diagnostic"}";
        }

        Assert.True(
            unreserved.Count == 0 && neverAdded.Count == 0,
            $"Generated on the model but not reserved: [{string.Join(", ", unreserved)}]; reserved but never generated: [{string.Join(", ", neverAdded)}].\n"
            + string.Join("\n", unreserved.Select(Clash)));
    }

    [Fact]
    public void FRNN010_FileLocalType()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 1)]
            [Lstm(4)]
            file partial class Local;
            """);

        AssertDiagnostic(diagnostic, "FRNN010", "Local", "'Local' is file-local");
    }

    [Fact]
    public void FRNN011_ModelTooLarge()
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 4096)]
            {string.Concat(System.Linq.Enumerable.Repeat("[Lstm(4096)]", 16))}
            public partial class Huge;
            """);

        // Each layer: input and recurrent weights 2 · 4 gates · 4096 · 4096, plus a 4 · 4096 bias; 16 layers.
        long parameters = 16 * ((2L * 4 * 4096 * 4096) + (4 * 4096));
        AssertDiagnostic(diagnostic, "FRNN011", "Huge", $"needs {parameters} parameters, more than one .NET array can hold (2147483591)");
    }

    [Fact]
    public void KernelNamesAreFreeForModels()
    {
        // The kernels live in a file-local class, so a model may be named like one of them.
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run("using FixedRnn;\n[RecurrentModel(1)][Lstm(4)] public partial class Layer0;\n[RecurrentModel(1)][Gru(4)] public partial class StepCore;");
        Assert.Empty(result.Diagnostics);
        Assert.Equal(6, result.GeneratedSources.Length);
        Assert.Empty(GeneratorDriver.CompilerDiagnostics(output));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp11, "11.0")]
    [InlineData(LanguageVersion.CSharp10, "10.0")]
    [InlineData(LanguageVersion.CSharp7_3, "7.3")]
    public void FRNN012_LanguageVersionTooLow(LanguageVersion version, string shown)
    {
        // Braces rather than the C# 12 semicolon body, so that the user's own code is valid at every version tried.
        string source = "using FixedRnn;\n[RecurrentModel(inputSize: 1)]\n[Lstm(4)]\npublic partial class Old { }";
        var parseOptions = new CSharpParseOptions(version);
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(GeneratorDriver.Compile(parseOptions, GeneratorDriver.CompilationOptions(nullable: version >= LanguageVersion.CSharp8), source), parseOptions);

        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        _source = source;
        AssertDiagnostic(diagnostic, "FRNN012", "Old", $"needs C# 12 or later, and this project uses C# {shown}");
        Assert.DoesNotContain(output.GetDiagnostics(), error => error.Severity == DiagnosticSeverity.Error);
    }

    [Theory]
    [InlineData("[Lstm(8)]", "[Lstm(8)]", "Lstm")]
    [InlineData("[Dense(outputSize: 2)]", "[Dense(outputSize: 2)]", "Dense")]
    public void FRNN013_LayerWithoutModel(string attributes, string flagged, string name)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            {attributes}
            public partial class NoModelAttr;
            """);

        AssertDiagnostic(diagnostic, "FRNN013", flagged[1..^1], $"[{name}] on 'NoModelAttr' declares a layer, but 'NoModelAttr' has no [RecurrentModel(inputSize)]");
    }

    [Fact]
    public void FRNN013_EveryOrphanLayerIsNamed()
    {
        (GeneratorRunResult result, _) = GeneratorDriver.Run("using FixedRnn;\n[Gru(4)][Rnn(3)][Dense(1)] public class Forgotten;\n[RecurrentModel(2)][Lstm(4)] public partial class Fine;");
        Assert.Equal(new[] { "FRNN013", "FRNN013", "FRNN013" }, result.Diagnostics.Select(diagnostic => diagnostic.Id));
        Assert.Equal(3, result.GeneratedSources.Length);
    }

    [Fact]
    public void MalformedAttributeIsLeftToTheCompiler()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run("""
            using FixedRnn;
            [RecurrentModel(inputSize: 1)]
            [Lstm]
            public partial class Missing;
            """);

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
        Assert.Contains(output.GetDiagnostics(), diagnostic => diagnostic.Id == "CS7036");
    }

    [Theory]
    [InlineData("[Lstm(32, ProjectionSize = 32)]", "ProjectionSize = 32", "ProjectionSize is 32, but the LSTM has 32 hidden units; a projection maps h to fewer units, from 1 to 31")]
    [InlineData("[Lstm(8)][Lstm(4, ProjectionSize = 9)]", "ProjectionSize = 9", "ProjectionSize is 9, but the LSTM has 4 hidden units")]
    public void FRNN014_ProjectionNotSmaller(string layers, string flagged, string message)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 2)]
            {layers}
            public partial class Projected;
            """);

        AssertDiagnostic(diagnostic, "FRNN014", flagged, message);
    }

    [Theory]
    [InlineData("0", "ProjectionSize is 0; it must be at least 1, or left out for an LSTM without projection")]
    [InlineData("-3", "ProjectionSize is -3; it must be at least 1")]
    public void FRNN015_ProjectionSizeNotPositive(string size, string message)
    {
        Diagnostic diagnostic = SingleDiagnostic($"""
            [RecurrentModel(inputSize: 2)]
            [Lstm(16, ProjectionSize = {size})]
            public partial class Projected;
            """);

        AssertDiagnostic(diagnostic, "FRNN015", $"ProjectionSize = {size}", message);
    }

    [Fact]
    public void FRNN016_ProjectionWithPeepholes()
    {
        Diagnostic diagnostic = SingleDiagnostic("""
            [RecurrentModel(inputSize: 2)]
            [Lstm(16, Peepholes = true, ProjectionSize = 4)]
            public partial class Projected;
            """);

        AssertDiagnostic(diagnostic, "FRNN016", "ProjectionSize = 4", "declare [Lstm(16, ProjectionSize = 4)] or [Lstm(16, Peepholes = true)]");
    }

    [Fact]
    public void EveryDescriptorIsAnErrorWithASequentialId()
    {
        var descriptors = typeof(FixedRnnGenerator).Assembly.GetType("FixedRnn.Generators.Diagnostics.DiagnosticDescriptors")!
            .GetFields()
            .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
            .OrderBy(descriptor => descriptor.Id)
            .ToList();

        Assert.Equal(Enumerable.Range(1, descriptors.Count).Select(id => $"FRNN{id:000}"), descriptors.Select(descriptor => descriptor.Id));
        Assert.All(descriptors, descriptor => Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity));
        Assert.All(descriptors, descriptor => Assert.Equal($"https://github.com/fixedrnn/fixedrnn/blob/main/docs/diagnostics/{descriptor.Id}.md", descriptor.HelpLinkUri));
    }

    private Diagnostic SingleDiagnostic(string declaration)
    {
        string source = "using FixedRnn;\n" + declaration;
        (GeneratorRunResult result, _) = GeneratorDriver.Run(source);
        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        _source = source;
        return diagnostic;
    }

    private void AssertDiagnostic(Diagnostic diagnostic, string id, string flaggedText, string messageFragment)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(messageFragment, diagnostic.GetMessage());
        Assert.Equal(flaggedText, SpanText(diagnostic));
    }

    /// <summary>
    /// The source text a diagnostic points at. Generator diagnostics carry a file location rather than
    /// a syntax tree (pipeline values must not hold one), so the span is read from the source given.
    /// </summary>
    private string SpanText(Diagnostic diagnostic)
    {
        Assert.Equal("Model0.cs", diagnostic.Location.GetLineSpan().Path);
        return _source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
    }
}
