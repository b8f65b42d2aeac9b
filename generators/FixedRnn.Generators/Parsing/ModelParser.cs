using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using FixedRnn.Generators.Diagnostics;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;
using FixedRnn.Training;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedRnn.Generators.Parsing;

/// <summary>
/// Turns a <c>[RecurrentModel]</c> declaration into a <see cref="ModelSpec"/> and the diagnostics that only the
/// symbols show (the declaration's shape, sizes, enum values, where the attributes are). Never throws on malformed
/// code: what the C# compiler already reports (a missing or mistyped attribute argument) is left to it and no model
/// is emitted. What depends on the layers' kinds (a head that is not last, no recurrent layer) is the planner's.
/// </summary>
internal static class ModelParser
{
    public const string RecurrentModelAttributeName = "FixedRnn.RecurrentModelAttribute";

    /// <summary>The metadata name of a layer kind's attribute: <c>[Lstm]</c> is <c>FixedRnn.LstmAttribute</c>.</summary>
    public static string LayerAttributeName(LayerKind kind) => $"FixedRnn.{kind}Attribute";

    /// <summary>Every layer attribute, by metadata name.</summary>
    public static readonly IReadOnlyDictionary<string, LayerKind> LayerAttributes = System.Enum.GetValues(typeof(LayerKind)).Cast<LayerKind>()
        .ToDictionary(LayerAttributeName, kind => kind);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty, CanEmit: false);
        }

        if (declaration.Identifier.IsMissing || HasCompilerErrors(context, declaration, cancellationToken))
        {
            // The C# compiler already reports these; generating code would only add noise to its errors.
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty, CanEmit: false);
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
            diagnostics.Add(SizeDiagnostic(modelAttribute, inputSize, cancellationToken));
            canEmit = false;
        }

        List<LayerSpec> layers = ParseLayers(type, declaration, diagnostics, ref canEmit, cancellationToken);
        var spec = new ModelSpec(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            ContainingTypes(declaration),
            DeclarationKeyword(declaration),
            type.Name,
            inputSize,
            layers.ToEquatableArray(),
            typeLocation);
        return new ParseResult(spec, diagnostics.ToEquatableArray(), canEmit && diagnostics.Count == 0 && layers.All(layer => layer.IsValid));
    }

    /// <summary>
    /// Names of the members the generator adds to the model (its public API and the field behind
    /// <c>Parameters</c>); a model of such a name could not contain them. The kernels live in a file-local class of
    /// their own, so their names are free.
    /// </summary>
    public static readonly IReadOnlyCollection<string> GeneratedMemberNames = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "LayerCount", "ParameterCount", "Parameters", "State", "Trace", "Step", "Forward",
        "Backward", "LoadPyTorch", "SavePyTorch", "ToPyTorch", "LoadKeras", "LoadOnnx", "Initialize", "GetHiddenState",
        "GetCellState", "LayerDescriptions", "_parameters",
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

    /// <summary>Checks the shape of the declaration itself: partial, not static, not generic, not file-local, not named like a generated member.</summary>
    private static bool CheckDeclaration(INamedTypeSymbol type, TypeDeclarationSyntax declaration, LocationInfo? typeLocation, List<DiagnosticInfo> diagnostics)
    {
        bool valid = true;
        if (GeneratedMemberNames.Contains(type.Name))
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
    /// Reads the layer attributes in source order, every one of them: an attribute that cannot be read (diagnosed
    /// here, or left to the compiler when its arguments are malformed) is kept as invalid, so that the planner still
    /// sees each layer in its place.
    /// </summary>
    private static List<LayerSpec> ParseLayers(INamedTypeSymbol type, TypeDeclarationSyntax declaration, List<DiagnosticInfo> diagnostics, ref bool canEmit, CancellationToken cancellationToken)
    {
        var found = new List<(AttributeData Attribute, LayerKind Kind, SyntaxNode Syntax)>();
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is null || !LayerAttributes.TryGetValue(attribute.AttributeClass.ToDisplayString(), out LayerKind kind))
            {
                continue;
            }

            SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            if (syntax is null || syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplitAcrossDeclarations, LocationInfo.From(syntax), type.Name));
                canEmit = false;
                continue;
            }

            found.Add((attribute, kind, syntax));
        }

        return found.OrderBy(entry => entry.Syntax.SpanStart)
            .Select(entry => ParseLayer(entry.Attribute, entry.Kind, LocationInfo.From(entry.Syntax), diagnostics, cancellationToken))
            .ToList();
    }

    /// <summary>
    /// Reads one layer attribute: its size (the constructor argument) and the named properties the generator knows,
    /// <c>Activation</c> (any of the runtime's activation enums, mapped by member name), <c>ResetAfter</c>, <c>Peepholes</c>,
    /// <c>ProjectionSize</c>, <c>Bidirectional</c> and <c>Merge</c>.
    /// </summary>
    private static LayerSpec ParseLayer(AttributeData attribute, LayerKind kind, LocationInfo? location, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        var invalid = new LayerSpec(kind, 0, null, null, location, IsValid: false);
        if (!TryGetSize(attribute, out int size))
        {
            return invalid;
        }

        bool valid = true;
        if (!IsSizeInRange(size))
        {
            diagnostics.Add(SizeDiagnostic(attribute, size, cancellationToken));
            valid = false;
        }

        Activation? activation = null;
        bool? resetAfter = null;
        bool peepholes = false;
        int? projectionSize = null;
        bool bidirectional = false;
        MergeMode? merge = null;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Value.Kind == TypedConstantKind.Error || argument.Value.Value is null)
            {
                return invalid;
            }

            if (argument.Key == "ResetAfter" && argument.Value.Value is bool flag)
            {
                resetAfter = flag;
            }
            else if (argument.Key == "Peepholes" && argument.Value.Value is bool peephole)
            {
                peepholes = peephole;
            }
            else if (argument.Key == "ProjectionSize" && argument.Value.Value is int projection)
            {
                projectionSize = projection;
            }
            else if (argument.Key == "Bidirectional" && argument.Value.Value is bool both)
            {
                bidirectional = both;
            }
            else if (argument.Key == "Merge" && argument.Value.Type is INamedTypeSymbol mergeType)
            {
                if (TryReadEnum(argument.Value, mergeType, out MergeMode read))
                {
                    merge = read;
                }
                else
                {
                    diagnostics.Add(UndefinedEnumValue(attribute, "Merge", argument.Value, mergeType, cancellationToken));
                    valid = false;
                }
            }
            else if (argument.Key == "Activation" && argument.Value.Type is INamedTypeSymbol enumType)
            {
                if (TryReadEnum(argument.Value, enumType, out Activation read))
                {
                    activation = read;
                }
                else
                {
                    diagnostics.Add(UndefinedEnumValue(attribute, "Activation", argument.Value, enumType, cancellationToken));
                    valid = false;
                }
            }
        }

        if (projectionSize is int projected && !CheckProjection(attribute, size, projected, peepholes, diagnostics, cancellationToken))
        {
            valid = false;
        }

        if (merge is not null && !bidirectional)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MergeWithoutBidirectional, LocationInfo.From(NamedArgumentSyntax(attribute, "Merge", cancellationToken)), kind.ToString()));
            valid = false;
        }

        return new LayerSpec(kind, size, activation, resetAfter, location, valid, peepholes, projectionSize ?? 0, bidirectional, merge);
    }

    /// <summary>
    /// An LSTM's <c>ProjectionSize</c>, as PyTorch's <c>proj_size</c> allows it: positive (0 is PyTorch's "none", which
    /// here is leaving the property out) and below the hidden size; and not with peepholes, which no format combines.
    /// </summary>
    private static bool CheckProjection(AttributeData attribute, int size, int projection, bool peepholes, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        LocationInfo? location = LocationInfo.From(NamedArgumentSyntax(attribute, "ProjectionSize", cancellationToken));
        if (projection <= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionSizeNotPositive, location, projection));
            return false;
        }

        if (IsSizeInRange(size) && projection >= size)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionNotSmaller, location, projection, size, size - 1));
            return false;
        }

        if (peepholes)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ProjectionWithPeepholes, location, projection, size));
            return false;
        }

        return true;
    }

    /// <summary>Maps a runtime enum value to the generator's enum of the same member names.</summary>
    private static bool TryReadEnum<TEnum>(TypedConstant value, INamedTypeSymbol enumType, out TEnum result)
        where TEnum : struct
    {
        result = default;
        IFieldSymbol? field = enumType.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(member => member.HasConstantValue && Equals(member.ConstantValue, value.Value));
        return field is not null && System.Enum.TryParse(field.Name, out result);
    }

    /// <summary>FRNN006 at the named argument: a cast to a value the enum does not define.</summary>
    private static DiagnosticInfo UndefinedEnumValue(AttributeData attribute, string property, TypedConstant value, INamedTypeSymbol enumType, CancellationToken cancellationToken)
    {
        var defined = enumType.GetMembers().OfType<IFieldSymbol>().Where(field => field.HasConstantValue).Select(field => field.Name);
        return DiagnosticInfo.Create(
            DiagnosticDescriptors.UndefinedEnumValue,
            LocationInfo.From(NamedArgumentSyntax(attribute, property, cancellationToken)),
            $"({enumType.Name}){value.Value}",
            enumType.Name,
            string.Join(", ", defined));
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

    /// <summary>FRNN005 at the size argument, naming it as the attribute's constructor does (<c>hiddenSize</c> → <c>HiddenSize</c>).</summary>
    private static DiagnosticInfo SizeDiagnostic(AttributeData attribute, int size, CancellationToken cancellationToken)
    {
        SyntaxNode? syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
        SyntaxNode? argument = (syntax as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression;
        string parameter = attribute.AttributeConstructor!.Parameters[0].Name;
        string what = char.ToUpperInvariant(parameter[0]) + parameter.Substring(1);
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
