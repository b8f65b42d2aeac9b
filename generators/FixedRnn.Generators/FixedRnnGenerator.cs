using FixedRnn.Generators.Emitting;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedRnn.Generators;

/// <summary>
/// Emits the kernels, state and weight loading of every <c>[RecurrentModel]</c> partial class.
/// This file holds only the pipeline: <see cref="ModelParser"/> reduces each declaration to an
/// equatable <see cref="ModelSpec"/>, <see cref="ModelEmitter"/> writes its source, and diagnostics
/// travel on their own output.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FixedRnnGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.RecurrentModelAttributeName,
                // Record structs are structs: [RecurrentModel] is a class attribute, so the compiler rejects them.
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                transform: static (context, cancellationToken) => ModelParser.Parse(context, cancellationToken))
            .WithTrackingName(TrackingNames.Parse);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<ModelSpec> models = parsed
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.Models);

        context.RegisterSourceOutput(diagnostics, static (context, diagnostic) => context.ReportDiagnostic(diagnostic.ToDiagnostic()));
        context.RegisterSourceOutput(models, static (context, model) => context.AddSource(model.HintName, ModelEmitter.Emit(model)));
    }
}
