using Microsoft.CodeAnalysis;

namespace FixedRnn.Generators.Diagnostics;

/// <summary>Every diagnostic the generator reports, numbered in sequence; an id is never reused.</summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The largest input, hidden or output size a layer may declare.</summary>
    public const int MaximumSize = 4096;

    private const string Category = "FixedRnn";

    /// <summary>Where each diagnostic's page lives: <c>docs/diagnostics/{id}.md</c> in the repository.</summary>
    private const string HelpLinkBase = "https://github.com/fixedrnn/fixedrnn/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "FRNN001",
        "Model type must be partial",
        "'{0}' must be declared partial so that FixedRnn can add the generated model to it");

    public static readonly DiagnosticDescriptor StaticType = Error(
        "FRNN002",
        "Model type must not be static",
        "'{0}' is static; a FixedRnn model holds its weights in instances, so it must be a non-static class");

    public static readonly DiagnosticDescriptor GenericType = Error(
        "FRNN003",
        "Model type must not be generic or nested in a generic type",
        "'{0}' is generic or nested in a generic type; FixedRnn models are fixed at compile time and must be non-generic");

    public static readonly DiagnosticDescriptor NoRecurrentLayer = Error(
        "FRNN004",
        "Model declares no recurrent layer",
        "'{0}' declares no recurrent layer; add [Lstm], [Gru] or [Rnn] after [RecurrentModel]");

    public static readonly DiagnosticDescriptor SizeOutOfRange = Error(
        "FRNN005",
        "Size out of range",
        "{0} is {1}; it must be between 1 and {2}");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error(
        "FRNN006",
        "Undefined enum value",
        "{0} is not a defined {1} value; use one of {2}");

    public static readonly DiagnosticDescriptor DenseNotLast = Error(
        "FRNN007",
        "Dense layer must be last",
        "[Dense] must be the last layer of '{0}'; FixedRnn supports one Dense head after the recurrent layers");

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        "FRNN008",
        "Layer attributes must be on one declaration",
        "Layer attributes of '{0}' must all be on the partial declaration that carries [RecurrentModel], so that their order is well defined");

    public static readonly DiagnosticDescriptor NameCollidesWithGeneratedMember = Error(
        "FRNN009",
        "Model name collides with a generated member",
        "A FixedRnn model cannot be named '{0}': the generator adds a member of that name to it");

    public static readonly DiagnosticDescriptor FileLocalType = Error(
        "FRNN010",
        "Model type must not be file-local",
        "'{0}' is file-local; the generated part of a FixedRnn model lives in another file, so the model cannot be a file type");

    public static readonly DiagnosticDescriptor ModelTooLarge = Error(
        "FRNN011",
        "Model too large",
        "'{0}' needs {1} parameters, more than one .NET array can hold ({2})");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
        "FRNN012",
        "C# 12 or later is required",
        "FixedRnn generates code for '{0}' that needs C# 12 or later, and this project uses C# {1}; set <LangVersion>12</LangVersion> or later");

    public static readonly DiagnosticDescriptor LayerWithoutModel = Error(
        "FRNN013",
        "Layer attribute without [RecurrentModel]",
        "[{0}] on '{1}' declares a layer, but '{1}' has no [RecurrentModel(inputSize)], so no model is generated; add [RecurrentModel] before its layer attributes");

    public static readonly DiagnosticDescriptor ProjectionNotSmaller = Error(
        "FRNN014",
        "Projection size must be smaller than the hidden size",
        "ProjectionSize is {0}, but the LSTM has {1} hidden units; a projection maps h to fewer units, from 1 to {2} (PyTorch's nn.LSTM rejects proj_size >= hidden_size too)");

    public static readonly DiagnosticDescriptor ProjectionSizeNotPositive = Error(
        "FRNN015",
        "Projection size must be positive",
        "ProjectionSize is {0}; it must be at least 1, or left out for an LSTM without projection (PyTorch's proj_size = 0)");

    public static readonly DiagnosticDescriptor ProjectionWithPeepholes = Error(
        "FRNN016",
        "Projection with peepholes is not supported",
        "ProjectionSize = {0} together with Peepholes = true is not supported: PyTorch's proj_size has no peepholes and ONNX's peepholes no projection, so no file could hold such a layer; declare [Lstm({1}, ProjectionSize = {0})] or [Lstm({1}, Peepholes = true)]");

    public static readonly DiagnosticDescriptor MergeWithoutBidirectional = Error(
        "FRNN017",
        "Merge set on a layer that is not bidirectional",
        "[{0}] sets Merge but not Bidirectional = true; a merge mode combines the two directions of a bidirectional layer, so set Bidirectional = true or remove Merge");

    private static DiagnosticDescriptor Error(string id, string title, string messageFormat)
        => new(id, title, messageFormat, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
