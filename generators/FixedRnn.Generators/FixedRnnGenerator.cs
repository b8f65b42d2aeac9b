using System.Linq;
using FixedRnn.Generators.Emitting;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Generators.Parsing;
using FixedRnn.Generators.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedRnn.Generators;

/// <summary>
/// Emits the kernels, state, training and weight loading of every <c>[RecurrentModel]</c> partial class. This file
/// holds only the pipeline: <see cref="ModelParser"/> reduces each declaration to an equatable
/// <see cref="ModelSpec"/>, <see cref="ModelPlanner"/> lays it out as a <see cref="ModelPlan"/>,
/// <see cref="ModelEmitter"/> writes its source, and diagnostics travel on their own output.
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

        IncrementalValueProvider<LanguageVersion> languageVersion = context.ParseOptionsProvider
            .Select(static (options, _) => ((CSharpParseOptions)options).LanguageVersion)
            .WithTrackingName(TrackingNames.LanguageVersion);

        IncrementalValuesProvider<PlanResult> planned = parsed
            .Where(static result => result.Spec is not null)
            .Combine(languageVersion)
            .Select(static (input, _) => ModelPlanner.Plan(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Plan);

        IncrementalValuesProvider<DiagnosticInfo> diagnostics = planned
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        IncrementalValuesProvider<ModelPlan> models = planned
            .Where(static result => result.Plan is not null)
            .Select(static (result, _) => result.Plan!)
            .WithTrackingName(TrackingNames.Models);

        context.RegisterSourceOutput(diagnostics, static (context, diagnostic) => context.ReportDiagnostic(diagnostic.ToDiagnostic()));
        context.RegisterSourceOutput(models, static (context, plan) =>
        {
            foreach ((string hintName, string source) in ModelEmitter.Emit(plan))
            {
                context.AddSource(hintName, source);
            }
        });

        foreach (string attribute in ModelParser.LayerAttributes.Keys.OrderBy(name => name, System.StringComparer.Ordinal))
        {
            IncrementalValuesProvider<DiagnosticInfo> orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    attribute,
                    predicate: static (node, _) => node is TypeDeclarationSyntax,
                    transform: static (context, cancellationToken) => OrphanLayerCheck.Check(context, cancellationToken))
                .SelectMany(static (found, _) => found)
                .WithTrackingName(TrackingNames.OrphanLayers);
            context.RegisterSourceOutput(orphans, static (context, diagnostic) => context.ReportDiagnostic(diagnostic.ToDiagnostic()));
        }
    }
}
