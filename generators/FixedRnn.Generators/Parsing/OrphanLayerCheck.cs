using System.Threading;
using FixedRnn.Generators.Diagnostics;
using FixedRnn.Generators.Helpers;
using Microsoft.CodeAnalysis;

namespace FixedRnn.Generators.Parsing;

/// <summary>
/// FRNN013: a layer attribute on a type that has no <c>[RecurrentModel]</c> on any of its parts would otherwise be
/// ignored without a word. A type with <c>[RecurrentModel]</c> elsewhere is the parser's (FRNN008 if the layers are
/// on another part).
/// </summary>
internal static class OrphanLayerCheck
{
    public static EquatableArray<DiagnosticInfo> Check(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type)
        {
            return EquatableArray<DiagnosticInfo>.Empty;
        }

        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == ModelParser.RecurrentModelAttributeName)
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }
        }

        var found = new System.Collections.Generic.List<DiagnosticInfo>();
        foreach (AttributeData attribute in context.Attributes)
        {
            string name = attribute.AttributeClass!.Name;
            found.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.LayerWithoutModel,
                LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
                name.EndsWith("Attribute", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - "Attribute".Length) : name,
                type.Name));
        }

        return found.ToEquatableArray();
    }
}
