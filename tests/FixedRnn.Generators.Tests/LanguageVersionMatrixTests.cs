using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace FixedRnn.Generators.Tests;

/// <summary>The user code around the models: which global usings the project has.</summary>
public enum ProjectUsings
{
    /// <summary><c>&lt;ImplicitUsings&gt;disable&lt;/ImplicitUsings&gt;</c>.</summary>
    None,

    /// <summary>The global usings the SDK's ImplicitUsings adds to a console app (Microsoft.NET.Sdk).</summary>
    ImplicitConsoleApp,
}

/// <summary>Where the user declares types named like the keywords and framework types the generated code uses.</summary>
public enum Decoys
{
    /// <summary>No such type.</summary>
    None,

    /// <summary>In the models' namespace, <c>Sample</c>.</summary>
    InModelNamespace,

    /// <summary>In the global namespace.</summary>
    InGlobalNamespace,
}

/// <summary>
/// The generated code fits the user's project: a set of models (every cell kind, both GRU forms, a stack with a Dense
/// head, a nested model, a global-namespace model, the README's model) compiled at every language version from C# 12
/// to the latest and preview, with nullable annotations on and off, warnings as errors at warning level 9999, XML
/// documentation diagnosed, with and without implicit usings, and with user types that shadow the names the kernels
/// use. Every combination must leave no warning or error in the generated files and emit.
/// </summary>
public sealed class LanguageVersionMatrixTests
{
    /// <summary>The language versions the generated code supports: C# 12 (the floor <c>[InlineArray]</c> sets) to the latest, and preview.</summary>
    private static readonly LanguageVersion[] SupportedVersions = { LanguageVersion.CSharp12, LanguageVersion.CSharp13, LanguageVersion.CSharp14, LanguageVersion.Preview };

    /// <summary>
    /// The models. Braces rather than C# 12's <c>class X;</c>, so that the same text is valid C# 10 and 11 for the
    /// FRNN012 rows. The nested model's container is named like the generated state and has members named like the
    /// generated ones, which the generated code must not pick up.
    /// </summary>
    private const string ModelsSource = """
        using FixedRnn;

        namespace Sample
        {
            /// <summary>A reset-after GRU, PyTorch's form.</summary>
            [RecurrentModel(inputSize: 3)]
            [Gru(16)]
            public partial class ResetAfterGru { }

            /// <summary>A reset-before GRU with a tanh head.</summary>
            [RecurrentModel(inputSize: 3)]
            [Gru(16, ResetAfter = false)]
            [Dense(2, Activation = DenseActivation.Tanh)]
            public partial class ResetBeforeGru { }

            /// <summary>A ReLU RNN.</summary>
            [RecurrentModel(inputSize: 2)]
            [Rnn(24, Activation = RnnActivation.Relu)]
            public partial class ReluRnn { }

            /// <summary>A peephole LSTM of two blocks.</summary>
            [RecurrentModel(inputSize: 4)]
            [Lstm(13, Peepholes = true)]
            public partial class PeepholeLstm { }

            /// <summary>An LSTM with projection (PyTorch's proj_size) under a second one, and a head.</summary>
            [RecurrentModel(inputSize: 4)]
            [Lstm(20, ProjectionSize = 6)]
            [Lstm(9, ProjectionSize = 3)]
            [Dense(2)]
            public partial class ProjectedLstm { }

            /// <summary>A bidirectional GRU averaging its directions, under a concatenating bidirectional LSTM, with a head: no Step.</summary>
            [RecurrentModel(inputSize: 3)]
            [Lstm(10, Bidirectional = true)]
            [Gru(9, Bidirectional = true, Merge = BidirectionalMerge.Average)]
            [Dense(2)]
            public partial class Bidirectional { }

            /// <summary>Every recurrent kind stacked, with a Dense head.</summary>
            [RecurrentModel(inputSize: 5)]
            [Lstm(12)]
            [Gru(16)]
            [Rnn(9)]
            [Dense(3, Activation = DenseActivation.Sigmoid)]
            public partial class Stack { }

            /// <summary>The README's model: LSTM 9 → 50 and a Dense head.</summary>
            [RecurrentModel(inputSize: 9)]
            [Lstm(50)]
            [Dense(1)]
            public partial class PricePredictor { }

            /// <summary>A container named like the generated state, whose members are named like the generated ones.</summary>
            public static partial class State
            {
                /// <summary>Named like a generated constant.</summary>
                public const int InputSize = -1;

                /// <summary>Named like a generated member.</summary>
                public static int Parameters => 0;

                /// <summary>Named like a generated method.</summary>
                public static void Step() { }

                /// <summary>Named like the generated trace.</summary>
                public sealed class Trace { }

                /// <summary>A nested container.</summary>
                public partial record struct Holder
                {
                    /// <summary>A model nested two deep.</summary>
                    [RecurrentModel(inputSize: 2)]
                    [Rnn(4)]
                    public partial record Nested { }
                }
            }
        }
        """;

    private const string GlobalModelSource = """
        /// <summary>A model in the global namespace.</summary>
        [FixedRnn.RecurrentModel(inputSize: 1)]
        [FixedRnn.Gru(3)]
        public partial class GlobalModel { }
        """;

    private const int ModelCount = 10;

    /// <summary>Calls into the generated API the way a user does; compiled only where the models were generated.</summary>
    private const string UsageSource = """
        namespace Usage
        {
            /// <summary>Uses the README's model.</summary>
            public static class Calls
            {
                /// <summary>One step, then the cell state.</summary>
                /// <returns>A number, so that nothing is optimized away.</returns>
                public static float StepOnce()
                {
                    var model = new global::Sample.PricePredictor();
                    var state = default(global::Sample.PricePredictor.State);
                    global::System.Span<float> input = stackalloc float[global::Sample.PricePredictor.InputSize];
                    global::System.Span<float> output = stackalloc float[global::Sample.PricePredictor.OutputSize];
                    model.Step(input, ref state, output);
                    var trace = new global::Sample.PricePredictor.Trace(4);
                    model.Forward(input, ref state, output, trace);
                    return output[0] + model.GetCellState(ref state, 0)[0] + model.GetHiddenState(ref state, 0)[0];
                }

                /// <summary>A bidirectional model: Forward, the recording Forward and Backward (it has no Step).</summary>
                /// <returns>A number, so that nothing is optimized away.</returns>
                public static float ForwardBidirectional()
                {
                    var model = new global::Sample.Bidirectional();
                    var state = default(global::Sample.Bidirectional.State);
                    float[] inputs = new float[2 * global::Sample.Bidirectional.InputSize];
                    float[] outputs = new float[2 * global::Sample.Bidirectional.OutputSize];
                    model.Forward(inputs, ref state, outputs);
                    var trace = new global::Sample.Bidirectional.Trace(2);
                    model.Forward(inputs, ref state, outputs, trace);
                    var gradient = default(global::Sample.Bidirectional.State);
                    model.Backward(trace, outputs, new float[global::Sample.Bidirectional.ParameterCount], inputs, ref gradient);
                    return outputs[0] + state.Layer0ReverseHidden[0] + gradient.Layer1ReverseHidden[0];
                }

                /// <summary>Loads PyTorch weights naming each layer's module: a collection expression works with or without params.</summary>
                /// <param name="path">The safetensors file.</param>
                public static void Load(string path) => new global::Sample.PricePredictor().LoadPyTorch(path, ["lstm", "fc"]);
            }
        }
        """;

    /// <summary>What Microsoft.NET.Sdk's ImplicitUsings adds to a console app's generated GlobalUsings.g.cs.</summary>
    private const string ImplicitUsingsSource = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>
    /// Types named like the keywords, framework types and FixedRnn support types the generated code names. A type
    /// named <c>System</c> or <c>FixedRnn</c> is declared in the models' namespace only: in the global namespace it would
    /// break every <c>global::System</c> (CS0437) or the user's own <c>using FixedRnn;</c>.
    /// </summary>
    private static string DecoySource(Decoys placement)
    {
        string types = """
            #pragma warning disable CS8981 // Lower-case names on purpose: they shadow the keywords nint and nuint.
            /// <summary>Shadows nint.</summary>
            public sealed class nint { }

            /// <summary>Shadows nuint.</summary>
            public sealed class nuint { }
            #pragma warning restore CS8981

            /// <summary>Shadows System.Runtime.Intrinsics.Vector512.</summary>
            public static class Vector512 { }

            /// <summary>Shadows System.Runtime.Intrinsics.Vector256.</summary>
            public static class Vector256 { }

            /// <summary>Shadows System.Runtime.Intrinsics.Vector256&lt;T&gt;.</summary>
            /// <typeparam name="T">Anything.</typeparam>
            public readonly struct Vector256<T> { }

            /// <summary>Shadows System.Runtime.Intrinsics.Vector128.</summary>
            public static class Vector128 { }

            /// <summary>Shadows System.Runtime.CompilerServices.Unsafe.</summary>
            public static class Unsafe { }

            /// <summary>Shadows System.Runtime.InteropServices.MemoryMarshal.</summary>
            public static class MemoryMarshal { }

            /// <summary>Shadows System.MemoryExtensions.</summary>
            public static class MemoryExtensions { }

            /// <summary>Shadows System.Span&lt;T&gt;.</summary>
            /// <typeparam name="T">Anything.</typeparam>
            public readonly struct Span<T> { }

            /// <summary>Shadows System.ReadOnlySpan&lt;T&gt;.</summary>
            /// <typeparam name="T">Anything.</typeparam>
            public readonly struct ReadOnlySpan<T> { }

            /// <summary>Shadows System.IntPtr.</summary>
            public sealed class IntPtr { }

            /// <summary>Shadows System.UIntPtr.</summary>
            public sealed class UIntPtr { }

            /// <summary>Shadows System.Math.</summary>
            public static class Math { }

            /// <summary>Shadows System.MathF.</summary>
            public static class MathF { }

            /// <summary>Shadows System.ArgumentException.</summary>
            public sealed class ArgumentException : global::System.Exception { }

            /// <summary>Shadows System.ArgumentOutOfRangeException.</summary>
            public sealed class ArgumentOutOfRangeException : global::System.Exception { }

            /// <summary>Shadows System.ArgumentNullException.</summary>
            public sealed class ArgumentNullException : global::System.Exception { }

            /// <summary>Shadows System.CodeDom.Compiler.GeneratedCodeAttribute.</summary>
            public sealed class GeneratedCodeAttribute : global::System.Attribute { }

            /// <summary>Shadows System.Runtime.CompilerServices.InlineArrayAttribute.</summary>
            public sealed class InlineArrayAttribute : global::System.Attribute { }

            /// <summary>Shadows System.Diagnostics.CodeAnalysis.UnscopedRefAttribute.</summary>
            public sealed class UnscopedRefAttribute : global::System.Attribute { }

            /// <summary>Shadows FixedRnn.Numerics.FloatBlock256.</summary>
            public static class FloatBlock256 { }

            /// <summary>Shadows FixedRnn.Numerics.FloatBlockScalar.</summary>
            public static class FloatBlockScalar { }

            /// <summary>Shadows FixedRnn.Numerics.NoTrace.</summary>
            public static class NoTrace { }

            /// <summary>Shadows FixedRnn.Numerics.AlignedFloats.</summary>
            public static class AlignedFloats { }
            """;
        return placement switch
        {
            Decoys.InModelNamespace => $$"""
                namespace Sample
                {
                {{types}}

                /// <summary>Shadows the namespace System inside Sample.</summary>
                public static class System { }

                /// <summary>Shadows the namespace FixedRnn inside Sample.</summary>
                public static class FixedRnn { }
                }
                """,
            Decoys.InGlobalNamespace => types,
            _ => throw new ArgumentOutOfRangeException(nameof(placement)),
        };
    }

    public static TheoryData<LanguageVersion, bool, ProjectUsings, Decoys> Combinations()
    {
        var data = new TheoryData<LanguageVersion, bool, ProjectUsings, Decoys>();
        foreach (LanguageVersion version in SupportedVersions)
        {
            foreach (bool nullable in new[] { true, false })
            {
                foreach (ProjectUsings usings in Enum.GetValues<ProjectUsings>())
                {
                    foreach (Decoys decoys in Enum.GetValues<Decoys>())
                    {
                        data.Add(version, nullable, usings, decoys);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void GeneratedCodeCompilesWithoutADiagnostic(LanguageVersion languageVersion, bool nullable, ProjectUsings usings, Decoys decoys)
    {
        var parseOptions = new CSharpParseOptions(languageVersion, DocumentationMode.Diagnose);
        CSharpCompilationOptions options = StrictOptions(nullable);
        List<string> userSources = UserSources(usings, decoys);

        // The test's own code first: alone it must be clean, so that every diagnostic below is the generator's doing.
        CSharpCompilation user = GeneratorDriver.Compile(parseOptions, options, userSources.ToArray());
        AssertNoDiagnostics(user.GetDiagnostics(), "the user code alone");

        CSharpCompilation withUsage = GeneratorDriver.Compile(parseOptions, options, userSources.Append(UsageSource).ToArray());
        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(withUsage, parseOptions);

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(ModelCount * 3, result.GeneratedSources.Length);

        // Emitting reports every diagnostic of the compilation (declarations, method bodies, XML docs), so one pass
        // checks them and that the assembly and its documentation file can be written.
        using var assembly = new MemoryStream();
        using var documentation = new MemoryStream();
        EmitResult emitted = output.Emit(assembly, xmlDocumentationStream: documentation);
        var generatedTrees = result.GeneratedSources.Select(generated => generated.SyntaxTree).ToHashSet();
        AssertNoDiagnostics(emitted.Diagnostics.Where(diagnostic => diagnostic.Location.SourceTree is { } tree && generatedTrees.Contains(tree)), "the generated files");
        AssertNoDiagnostics(emitted.Diagnostics, "the user code with the generated code");
        Assert.True(emitted.Success);
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp11)]
    [InlineData(LanguageVersion.CSharp10)]
    public void BelowCSharp12EveryModelGetsOneFrnn012AndNothingIsGenerated(LanguageVersion languageVersion)
    {
        var parseOptions = new CSharpParseOptions(languageVersion, DocumentationMode.Diagnose);
        CSharpCompilation user = GeneratorDriver.Compile(parseOptions, StrictOptions(nullable: true), UserSources(ProjectUsings.ImplicitConsoleApp, Decoys.InModelNamespace).ToArray());
        AssertNoDiagnostics(user.GetDiagnostics(), "the user code alone");

        (GeneratorRunResult result, Compilation output) = GeneratorDriver.Run(user, parseOptions);

        Assert.Null(result.Exception);
        Assert.Empty(result.GeneratedSources);
        Assert.All(result.Diagnostics, diagnostic => Assert.Equal("FRNN012", diagnostic.Id));
        // Generator diagnostics carry a file location, not a tree: the text flagged is read from the tree of that path.
        string[] flagged = result.Diagnostics
            .Select(diagnostic => user.SyntaxTrees.Single(tree => tree.FilePath == diagnostic.Location.GetLineSpan().Path).GetText().ToString(diagnostic.Location.SourceSpan))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(new[] { "Bidirectional", "GlobalModel", "Nested", "PeepholeLstm", "PricePredictor", "ProjectedLstm", "ReluRnn", "ResetAfterGru", "ResetBeforeGru", "Stack" }, flagged);
        AssertNoDiagnostics(output.GetDiagnostics(), "the user code, where nothing was generated");
    }

    [Fact]
    public void TheMatrixCoversTheLatestLanguageVersion()
    {
        // When the compiler the tests reference moves on, the matrix must move with it.
        Assert.Contains(LanguageVersion.Latest.MapSpecifiedToEffectiveVersion(), SupportedVersions);
    }

    [Fact]
    public void TheOptionsReportWhatTheMatrixClaims()
    {
        // A public type without a doc comment (CS1591), a warning-wave warning (CS8981, wave 7) and a nullable warning
        // (CS8600) all surface, as errors: the settings above would catch them in generated code.
        const string Source = """
            public class Undocumented
            {
            }

            /// <summary>Lower-case.</summary>
            public class lowercase
            {
                /// <summary>Assigns null.</summary>
                public static void M() { string s = null; _ = s; }
            }
            """;
        CSharpCompilation compilation = GeneratorDriver.Compile(new CSharpParseOptions(LanguageVersion.CSharp12, DocumentationMode.Diagnose), StrictOptions(nullable: true), Source);

        var errors = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).Select(diagnostic => diagnostic.Id).ToHashSet();
        Assert.Superset(new HashSet<string> { "CS1591", "CS8981", "CS8600" }, errors);
    }

    /// <summary>A library project with warnings as errors, every warning wave, and nullable annotations on or off.</summary>
    private static CSharpCompilationOptions StrictOptions(bool nullable)
        => GeneratorDriver.CompilationOptions(nullable)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
            .WithWarningLevel(9999);

    private static List<string> UserSources(ProjectUsings usings, Decoys decoys)
    {
        var sources = new List<string> { ModelsSource, GlobalModelSource };
        if (usings == ProjectUsings.ImplicitConsoleApp)
        {
            sources.Add(ImplicitUsingsSource);
        }

        if (decoys != Decoys.None)
        {
            sources.Add(DecoySource(decoys));
        }

        return sources;
    }

    /// <summary>Fails with every warning and error (hidden and info diagnostics, such as an unused using, are no concern).</summary>
    private static void AssertNoDiagnostics(IEnumerable<Diagnostic> diagnostics, string what)
    {
        var shown = diagnostics.Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning || diagnostic.IsWarningAsError).ToList();
        Assert.True(
            shown.Count == 0,
            $"{shown.Count} diagnostic(s) in {what}:\n" + string.Join("\n", shown.Take(25).Select(diagnostic => diagnostic.ToString())));
    }
}
