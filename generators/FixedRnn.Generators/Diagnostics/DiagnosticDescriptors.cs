using Microsoft.CodeAnalysis;

namespace FixedRnn.Generators.Diagnostics;

/// <summary>Every diagnostic the generator reports. Ids are sequential and never reused.</summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The largest input, hidden or output size a layer may declare.</summary>
    public const int MaximumSize = 4096;

    private const string Category = "FixedRnn";

    public static readonly DiagnosticDescriptor NotPartial = new(
        id: "FRNN001",
        title: "Model type must be partial",
        messageFormat: "'{0}' must be declared partial so that FixedRnn can add the generated model to it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor StaticType = new(
        id: "FRNN002",
        title: "Model type must not be static",
        messageFormat: "'{0}' is static; a FixedRnn model holds its weights in instances, so it must be a non-static class",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericType = new(
        id: "FRNN003",
        title: "Model type must not be generic or nested in a generic type",
        messageFormat: "'{0}' is generic or nested in a generic type; FixedRnn models are fixed at compile time and must be non-generic",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NoRecurrentLayer = new(
        id: "FRNN004",
        title: "Model declares no recurrent layer",
        messageFormat: "'{0}' declares no recurrent layer; add [Lstm], [Gru] or [Rnn] after [RecurrentModel]",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SizeOutOfRange = new(
        id: "FRNN005",
        title: "Size out of range",
        messageFormat: "{0} is {1}; it must be between 1 and {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UndefinedEnumValue = new(
        id: "FRNN006",
        title: "Undefined enum value",
        messageFormat: "{0} is not a defined {1} value; use one of {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DenseNotLast = new(
        id: "FRNN007",
        title: "Dense layer must be last",
        messageFormat: "[Dense] must be the last layer of '{0}'; FixedRnn supports one Dense head after the recurrent layers",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = new(
        id: "FRNN008",
        title: "Layer attributes must be on one declaration",
        messageFormat: "Layer attributes of '{0}' must all be on the partial declaration that carries [RecurrentModel], so that their order is well defined",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameCollidesWithGeneratedMember = new(
        id: "FRNN009",
        title: "Model name collides with a generated member",
        messageFormat: "A FixedRnn model cannot be named '{0}': the generator adds a member of that name to it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FileLocalType = new(
        id: "FRNN010",
        title: "Model type must not be file-local",
        messageFormat: "'{0}' is file-local; the generated part of a FixedRnn model lives in another file, so the model cannot be a file type",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ModelTooLarge = new(
        id: "FRNN011",
        title: "Model too large",
        messageFormat: "'{0}' needs {1} parameters, more than one .NET array can hold ({2})",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
