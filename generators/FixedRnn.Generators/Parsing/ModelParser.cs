using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FixedRnn.Generators.Diagnostics;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedRnn.Generators.Parsing;

/// <summary>
/// Turns a <c>[RecurrentModel]</c> declaration into a <see cref="ModelSpec"/>, or into the diagnostics
/// that explain why it cannot be one. Never throws on malformed code: what the C# compiler already
/// reports (a missing or mistyped attribute argument) is left to it and no model is emitted.
/// </summary>
internal static class ModelParser
{
    public const string RecurrentModelAttributeName = "FixedRnn.RecurrentModelAttribute";
    private const string RnnAttributeName = "FixedRnn.RnnAttribute";
    private const string LstmAttributeName = "FixedRnn.LstmAttribute";
    private const string GruAttributeName = "FixedRnn.GruAttribute";
    private const string DenseAttributeName = "FixedRnn.DenseAttribute";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        if (declaration.Identifier.IsMissing || HasCompilerErrors(context, declaration, cancellationToken))
        {
            // The C# compiler already reports these; generating code would only add noise to its errors.
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        LocationInfo? typeLocation = LocationInfo.From(declaration.Identifier.GetLocation());
        bool canEmit = CheckDeclaration(type, declaration, typeLocation, diagnostics);

        AttributeData modelAttribute = context.Attributes[0];
        if (!TryGetSize(modelAttribute, out int inputSize))
        {
            canEmit = false;
        }
        else if (!IsSizeInRange(inputSize))
        {
            diagnostics.Add(SizeDiagnostic(modelAttribute, "InputSize", inputSize, cancellationToken));
            canEmit = false;
        }

        List<LayerSpec>? layers = ParseLayers(type, declaration, inputSize, diagnostics, cancellationToken);
        canEmit &= layers is not null;

        if (layers is not null && !layers.Any(layer => layer.IsRecurrent))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoRecurrentLayer, typeLocation, type.Name));
            canEmit = false;
        }

        if (canEmit && diagnostics.Count == 0 && ParameterCount(layers!) is var count && count > MaximumArrayLength)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ModelTooLarge, typeLocation, type.Name, count, MaximumArrayLength));
        }

        ModelSpec? model = null;
        if (canEmit && diagnostics.Count == 0)
        {
            model = new ModelSpec(
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                ContainingTypes(declaration),
                DeclarationKeyword(declaration),
                type.Name,
                inputSize,
                layers!.ToEquatableArray());
        }

        return new ParseResult(model, diagnostics.ToEquatableArray());
    }

    /// <summary>Array.MaxLength: the most floats one Parameters buffer can hold.</summary>
    private const long MaximumArrayLength = 0x7FFFFFC7;

    /// <summary>Names of the members the generator adds; a model of such a name could not contain them.</summary>
    private static readonly HashSet<string> GeneratedMemberNames = new(System.StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "LayerCount", "ParameterCount", "Parameters", "State", "Trace", "Step", "Forward",
        "Backward", "StepsOf", "ForwardCore", "StepCore", "RecordCore", "RecordState", "BackwardCore", "LoadPyTorch",
        "SavePyTorch", "ToPyTorch", "LoadKeras", "LoadOnnx", "LayerDescriptions", "Initialize", "GetHiddenState", "GetCellState",
    };

    /// <summary>Whether the compiler reports an error inside one of the model's FixedRnn attributes.</summary>
    private static bool HasCompilerErrors(GeneratorAttributeSyntaxContext context, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        foreach (AttributeListSyntax list in declaration.AttributeLists)
        {
            foreach (Diagnostic diagnostic in context.SemanticModel.GetDiagnostics(list.Span, cancellationToken))
            {
                if (diagnostic.Severity == DiagnosticSeverity.Error)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The packed parameter count, in 64 bits so that absurd declarations are caught rather than overflowing.</summary>
    private static long ParameterCount(IEnumerable<LayerSpec> layers)
    {
        long total = 0;
        foreach (LayerSpec layer in layers)
        {
            total += Emitting.LayerLayout.ParameterLength(layer);
        }

        return total;
    }

    /// <summary>Checks the shape of the declaration itself: partial, not static, not generic, not file-local, not named like a generated member.</summary>
    private static bool CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? typeLocation, List<DiagnosticInfo> diagnostics)
    {
        bool valid = true;
        if (GeneratedMemberNames.Contains(type.Name) || System.Text.RegularExpressions.Regex.IsMatch(type.Name, @"^Layer\d+(Backward)?$"))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameCollidesWithGeneratedMember, typeLocation, type.Name));
            valid = false;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocalType, typeLocation, current.Name));
                valid = false;
                break;
            }
        }

        if (type.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StaticType, typeLocation, type.Name));
            valid = false;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, typeLocation, type.Name));
                valid = false;
                break;
            }
        }

        for (SyntaxNode? node = declaration; node is TypeDeclarationSyntax typeDeclaration; node = node.Parent)
        {
            if (!typeDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, LocationInfo.From(typeDeclaration.Identifier.GetLocation()), typeDeclaration.Identifier.ValueText));
                valid = false;
            }
        }

        return valid;
    }

    /// <summary>
    /// Reads the layer attributes in source order. Returns <see langword="null"/> when any is invalid
    /// (diagnosed here, or left to the compiler when its arguments are malformed).
    /// </summary>
    private static List<LayerSpec>? ParseLayers(INamedTypeSymbol type, TypeDeclarationSyntax declaration, int inputSize, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var found = new List<(AttributeData Attribute, int Position)>();
        bool valid = true;
        foreach (AttributeData attribute in type.GetAttributes())
        {
            string? name = attribute.AttributeClass?.ToDisplayString();
            if (name is not (RnnAttributeName or LstmAttributeName or GruAttributeName or DenseAttributeName))
            {
                continue;
            }

            SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (syntax is null || syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplitAcrossDeclarations, LocationInfo.From(syntax), type.Name));
                valid = false;
                continue;
            }

            found.Add((attribute, syntax.SpanStart));
        }

        var layers = new List<LayerSpec>();
        int previousSize = inputSize;
        var ordered = found.OrderBy(entry => entry.Position).Select(entry => entry.Attribute).ToList();
        for (int index = 0; index < ordered.Count; index++)
        {
            AttributeData attribute = ordered[index];
            LayerSpec? layer = ParseLayer(attribute, previousSize, diagnostics, cancellationToken);
            if (layer is null)
            {
                valid = false;
                continue;
            }

            if (layer.Kind == LayerKind.Dense && index != ordered.Count - 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DenseNotLast, LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken)), type.Name));
                valid = false;
            }

            layers.Add(layer);
            previousSize = layer.Size;
        }

        return valid ? layers : null;
    }

    private static LayerSpec? ParseLayer(AttributeData attribute, int inputSize, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        string name = attribute.AttributeClass!.ToDisplayString();
        LayerKind kind = name switch
        {
            RnnAttributeName => LayerKind.Rnn,
            LstmAttributeName => LayerKind.Lstm,
            GruAttributeName => LayerKind.Gru,
            _ => LayerKind.Dense,
        };

        if (!TryGetSize(attribute, out int size))
        {
            return null;
        }

        bool valid = true;
        if (!IsSizeInRange(size))
        {
            diagnostics.Add(SizeDiagnostic(attribute, kind == LayerKind.Dense ? "OutputSize" : "HiddenSize", size, cancellationToken));
            valid = false;
        }

        Activation activation = kind switch
        {
            LayerKind.Rnn => Activation.Tanh,
            _ => Activation.Identity,
        };
        bool resetAfter = true;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is null)
            {
                return null;
            }

            if (argument.Key == "ResetAfter" && argument.Value.Value is bool flag)
            {
                resetAfter = flag;
            }
            else if (argument.Key == "Activation" && argument.Value.Type is INamedTypeSymbol enumType)
            {
                if (!TryReadActivation(argument.Value, enumType, out activation))
                {
                    var defined = enumType.GetMembers().OfType<IFieldSymbol>().Where(field => field.HasConstantValue).Select(field => field.Name);
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UndefinedEnumValue,
                        LocationInfo.From(NamedArgumentSyntax(attribute, "Activation", cancellationToken)),
                        $"({enumType.Name}){argument.Value.Value}",
                        enumType.Name,
                        string.Join(", ", defined)));
                    valid = false;
                }
            }
        }

        return valid ? new LayerSpec(kind, inputSize, size, activation, resetAfter) : null;
    }

    private static bool TryReadActivation(TypedConstant value, INamedTypeSymbol enumType, out Activation activation)
    {
        activation = Activation.Identity;
        IFieldSymbol? field = enumType.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(member => member.HasConstantValue && Equals(member.ConstantValue, value.Value));
        return field is not null && System.Enum.TryParse(field.Name, out activation);
    }

    private static bool TryGetSize(AttributeData attribute, out int size)
    {
        size = 0;
        ImmutableArray<TypedConstant> arguments = attribute.ConstructorArguments;
        if (attribute.AttributeConstructor is null || arguments.Length != 1 || arguments[0].Kind == TypedConstantKind.Error || arguments[0].Value is not int value)
        {
            return false;
        }

        size = value;
        return true;
    }

    private static bool IsSizeInRange(int size) => size is >= 1 and <= DiagnosticDescriptors.MaximumSize;

    private static DiagnosticInfo SizeDiagnostic(AttributeData attribute, string what, int size, CancellationToken cancellationToken)
    {
        SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        SyntaxNode? argument = (syntax as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression;
        return DiagnosticInfo.Create(DiagnosticDescriptors.SizeOutOfRange, LocationInfo.From(argument ?? syntax), what, size, DiagnosticDescriptors.MaximumSize);
    }

    private static SyntaxNode? NamedArgumentSyntax(AttributeData attribute, string name, CancellationToken cancellationToken)
    {
        SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        return (syntax as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name) ?? syntax;
    }

    private static EquatableArray<ContainingType> ContainingTypes(TypeDeclarationSyntax declaration)
    {
        var types = new List<ContainingType>();
        for (SyntaxNode? node = declaration.Parent; node is TypeDeclarationSyntax parent; node = node.Parent)
        {
            types.Insert(0, new ContainingType(DeclarationKeyword(parent), parent.Identifier.ValueText));
        }

        return types.ToEquatableArray();
    }

    private static string DeclarationKeyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record when !record.ClassOrStructKeyword.IsKind(SyntaxKind.None) => $"record {record.ClassOrStructKeyword.ValueText}",
        RecordDeclarationSyntax => "record",
        _ => declaration.Keyword.ValueText,
    };
}
