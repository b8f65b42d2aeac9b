using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using FixedRnn.Generators.Parsing;

namespace FixedRnn.Generators.Tests;

/// <summary>What a fuzz case must do to the generator and the compiler.</summary>
internal enum Verdict
{
    /// <summary>A model: source is generated and the whole compilation has no error.</summary>
    Valid,

    /// <summary>Valid C# that FixedRnn rejects: the expected FRNN diagnostics, no source, no compiler error.</summary>
    FixedRnnError,

    /// <summary>The C# compiler reports an error; FRNN diagnostics are optional, source only where allowed.</summary>
    CompilerError,

    /// <summary>Not a model (no <c>[RecurrentModel]</c>): no diagnostic, no source, no error.</summary>
    Ignored,
}

internal enum LayerType
{
    Rnn,
    Lstm,
    Gru,
    Dense,
}

internal enum Shape
{
    Class,
    Record,
    RecordClass,
    PositionalRecord,
    Struct,
    RecordStruct,
    Interface,
    Enum,
    Delegate,
    FieldHost,
    MethodHost,
}

internal enum Placement
{
    GlobalNamespace,
    BlockNamespace,
    FileScopedNamespace,
}

/// <summary>
/// Declaration shapes the generator once mishandled (the regression cases of
/// <c>GeneratorFuzzTests.FuzzFindings</c>). Every run generates them; the report counts them, so that a
/// change to the generator that drops one from the mix shows.
/// </summary>
internal enum FormerBug
{
    None,

    /// <summary>Two models whose full names differ only in case: AddSource threw (hint names are case-insensitive).</summary>
    CaseInsensitiveHintName,

    /// <summary>An escaped keyword (<c>@class</c>, <c>namespace @event</c>) as a name: invalid hint name or generated code.</summary>
    KeywordIdentifier,

    /// <summary>A model named like a generated member (<c>State</c>, <c>Step</c>...): CS0542 in generated code, now FRNN009.</summary>
    MemberNamedLikeModel,

    /// <summary>A model named like a kernel, which FRNN009 used to reserve (<c>Layer0</c>, <c>StepCore</c>...): now valid.</summary>
    KernelNamedLikeModel,

    /// <summary>A containing type named like a generated member (<c>State</c>, <c>Trace</c>...): valid, the members are the model's.</summary>
    ContainerNamedLikeMember,

    /// <summary>A <c>file</c> model: the generated partial was a different, non-file type; now FRNN010.</summary>
    FileLocalModel,

    /// <summary>A <c>record struct</c> model: source was generated although the compiler rejects the attributes (CS0592).</summary>
    RecordStructModel,

    /// <summary>A mistyped, unknown or repeated named argument the compiler rejects, yet source was generated.</summary>
    MalformedNamedArgumentEmits,

    /// <summary>A user type named like a type the kernels use (<c>nint</c>, <c>Vector256</c>, <c>Unsafe</c>...) in the model's namespace.</summary>
    UserTypeNamedLikeFrameworkType,

    /// <summary>More parameters than one array holds: the parameter count overflowed <see cref="int"/>; now FRNN011.</summary>
    ParameterCountOverflow,
}

/// <summary>A constant argument as written, and what the compiler makes of it.</summary>
/// <param name="Text">The expression as written.</param>
/// <param name="Value">Its value when it converts to the parameter's type (an enum's underlying value, a bool as 0/1).</param>
/// <param name="Error">The compiler error it causes, if any.</param>
/// <param name="Bug">A former generator bug this argument triggers.</param>
internal sealed record Arg(string Text, int? Value, string? Error = null, FormerBug Bug = FormerBug.None);

/// <summary><c>Name = value</c> in an attribute.</summary>
internal sealed record NamedArg(string Name, Arg Value, string? Error = null, FormerBug Bug = FormerBug.None)
{
    public string Text => $"{Name} = {Value.Text}";
}

/// <summary>One attribute inside an attribute list.</summary>
internal abstract class AttributeItem
{
    /// <summary>The attribute as the compiler sees it, without brackets: what FRNN007/FRNN008 point at.</summary>
    public abstract string Text { get; }
}

/// <summary><c>[RecurrentModel(inputSize)]</c>, possibly malformed.</summary>
internal sealed class ModelAttribute : AttributeItem
{
    public required string Name { get; init; }

    /// <summary>The input size; <see langword="null"/> when the attribute has no usable argument.</summary>
    public Arg? Input { get; init; }

    /// <summary>The argument list as written, parentheses included; empty for none.</summary>
    public required string Arguments { get; init; }

    /// <summary>A compiler error of the argument list itself (missing, extra or misnamed argument).</summary>
    public string? ShapeError { get; init; }

    public override string Text => Name + Arguments;

    public bool WellFormed => ShapeError is null && Input is { Error: null };

    public IEnumerable<string> Errors => new[] { ShapeError, Input?.Error }.OfType<string>();
}

/// <summary>A layer attribute, possibly malformed.</summary>
internal sealed class LayerAttribute : AttributeItem
{
    public required LayerType Type { get; init; }

    public required string Name { get; init; }

    /// <summary>The size; <see langword="null"/> when it is missing.</summary>
    public Arg? Size { get; init; }

    /// <summary>The positional part as written (<c>4</c>, <c>hiddenSize: 4</c>, <c>4, 5</c>), without parentheses.</summary>
    public required string Positional { get; init; }

    public bool OmitParentheses { get; init; }

    public List<NamedArg> Named { get; init; } = new();

    public string? ShapeError { get; init; }

    public FormerBug ShapeBug { get; init; }

    public override string Text
    {
        get
        {
            var arguments = new List<string>();
            if (Positional.Length > 0)
            {
                arguments.Add(Positional);
            }

            arguments.AddRange(Named.Select(argument => argument.Text));
            return OmitParentheses && arguments.Count == 0 ? Name : $"{Name}({string.Join(", ", arguments)})";
        }
    }

    public bool IsRecurrent => Type != LayerType.Dense;

    /// <summary>The same attribute with other named arguments.</summary>
    public LayerAttribute WithNamed(List<NamedArg> named) => new()
    {
        Type = Type,
        Name = Name,
        Size = Size,
        Positional = Positional,
        OmitParentheses = OmitParentheses,
        Named = named,
        ShapeError = ShapeError,
        ShapeBug = ShapeBug,
    };

    public bool WellFormed => Errors.Count() == 0;

    public IEnumerable<string> Errors => new[] { ShapeError, Size?.Error }
        .Concat(Named.SelectMany(argument => new[] { argument.Error, argument.Value.Error }))
        .OfType<string>();

    /// <summary>A GRU's form: <c>ResetAfter</c> as written, true (PyTorch's form) when it is not.</summary>
    public bool ResetAfter => Named.LastOrDefault(argument => argument.Name == "ResetAfter")?.Value.Value is not 0;

    /// <summary>An LSTM's <c>Peepholes</c> as written, false when it is not.</summary>
    public bool Peepholes => Named.LastOrDefault(argument => argument.Name == "Peepholes")?.Value.Value is 1;

    /// <summary>An LSTM's <c>ProjectionSize</c> as written, 0 when it is not (the generated fuzz only writes valid ones).</summary>
    public int ProjectionSize => Named.LastOrDefault(argument => argument.Name == "ProjectionSize")?.Value.Value ?? 0;

    /// <summary>A recurrent layer's <c>Bidirectional</c> as written, false when it is not.</summary>
    public bool Bidirectional => Named.LastOrDefault(argument => argument.Name == "Bidirectional")?.Value.Value is 1;

    /// <summary>
    /// Features the layer passes up: h's units (the projection's, if any), twice that for a bidirectional layer that
    /// concatenates (the default merge, 0).
    /// </summary>
    public int? OutputWidth => SizeValue is not int size
        ? null
        : (Bidirectional && Named.LastOrDefault(argument => argument.Name == "Merge")?.Value.Value is null or 0 ? 2 : 1) * (ProjectionSize > 0 ? ProjectionSize : size);

    public IEnumerable<FormerBug> Bugs => new[] { ShapeBug, Size?.Bug ?? FormerBug.None }
        .Concat(Named.SelectMany(argument => new[] { argument.Bug, argument.Value.Bug }))
        .Where(bug => bug != FormerBug.None);

    /// <summary>The size when the compiler can read it (even if another argument is malformed).</summary>
    public int? SizeValue => ShapeError is null && Size is { Error: null, Value: int value } ? value : null;

    public NamedArg? Activation => Named.FirstOrDefault(argument => argument.Name == "Activation");

    /// <summary>The activation argument names a value outside the enum (FRNN006).</summary>
    public bool ActivationUndefined => Activation is { Value.Value: int value } && !DefinedActivations(Type).Contains(value);

    public static int[] DefinedActivations(LayerType type) => type switch
    {
        LayerType.Rnn => new[] { 0, 1 },
        LayerType.Dense => new[] { 0, 1, 2, 3 },
        _ => Array.Empty<int>(),
    };
}

/// <summary>Any other attribute: a framework one, or a misspelled layer (CS0246).</summary>
internal sealed class ForeignAttribute(string text, params string[] errors) : AttributeItem
{
    public override string Text => text;

    /// <summary>The compiler errors it may cause (any of them).</summary>
    public string[] Errors => errors;
}

/// <summary>An attribute list: <c>[type: A, B]</c>.</summary>
internal sealed record AttributeList(List<AttributeItem> Items, bool TypeTarget);

internal sealed record Container(string Keyword, string Name, bool Partial, string TypeParameters, string Parameters)
{
    public bool IsStatic => Keyword.StartsWith("static ", StringComparison.Ordinal);

    public bool IsInterface => Keyword == "interface";

    public bool IsStruct => Keyword.Contains("struct", StringComparison.Ordinal);
}

/// <summary>Another partial declaration of the model type.</summary>
internal sealed class OtherPart
{
    public List<AttributeList> Attributes { get; } = new();

    public bool Partial { get; init; } = true;

    /// <summary>Replaces the model's keyword (a kind mismatch, CS0261).</summary>
    public string? Keyword { get; init; }

    public bool OtherTree { get; init; }

    public string Body { get; set; } = "{ }";
}

/// <summary>Where a diagnostic should point and what it should say.</summary>
internal sealed record ExpectedDiagnostic(string Id, string Text);

/// <summary>One random declaration (with whatever it needs around it) and its expected outcome.</summary>
internal sealed class FuzzCase
{
    public required int Id { get; init; }

    public required string Category { get; init; }

    public Placement Placement { get; set; }

    /// <summary>The namespace, or <see langword="null"/> for the global namespace.</summary>
    public string? Namespace { get; set; }

    public bool NestedNamespaceSyntax { get; set; }

    public List<Container> Containers { get; } = new();

    public Shape Shape { get; set; } = Shape.Class;

    public string Access { get; set; } = "public";

    public bool Partial { get; set; } = true;

    public bool Static { get; set; }

    public bool Abstract { get; set; }

    public bool Sealed { get; set; }

    public bool SwapModifierOrder { get; set; }

    public string TypeParameters { get; set; } = string.Empty;

    public string Constraints { get; set; } = string.Empty;

    public required string Name { get; set; }

    public string Body { get; set; } = ";";

    public List<AttributeList> Attributes { get; } = new();

    /// <summary>Separators between attribute lists: whitespace, comments, inactive <c>#if false</c> attributes.</summary>
    public List<string> Separators { get; } = new();

    public List<OtherPart> OtherParts { get; } = new();

    /// <summary>Constants the sizes may refer to, in a static class <c>K{Id}</c> beside the model.</summary>
    public List<(string Name, int Value)> Constants { get; } = new();

    /// <summary><c>using Alias = FixedRnn.XAttribute;</c> directives inside the namespace.</summary>
    public List<string> Aliases { get; } = new();

    /// <summary>Extra declarations beside the model in its namespace (e.g. a type named <c>nint</c>).</summary>
    public List<string> Neighbours { get; } = new();

    /// <summary>A textual break (a syntax error) applied to the rendered declaration: (find, replace).</summary>
    public (string Find, string Replace)? SyntaxBreak { get; set; }

    public FormerBug Bug { get; set; }

    /// <summary>Every former generator bug the case runs into.</summary>
    public IEnumerable<FormerBug> Bugs => new[] { Bug }.Concat(AllItems.OfType<LayerAttribute>().SelectMany(layer => layer.Bugs)).Where(bug => bug != FormerBug.None).Distinct();

    // ---- The oracle's result ----

    public Verdict Verdict { get; private set; }

    /// <summary>FRNN diagnostics that must be reported (a multiset of id and flagged text).</summary>
    public List<ExpectedDiagnostic> Required { get; } = new();

    /// <summary>FRNN ids that may be reported in addition.</summary>
    public HashSet<string> Allowed { get; } = new();

    /// <summary>For <see cref="Verdict.CompilerError"/>: at least one of these compiler errors (any error when empty).</summary>
    public HashSet<string> CompilerErrors { get; } = new();

    /// <summary>For <see cref="Verdict.CompilerError"/>: the generator may still emit the model.</summary>
    public bool SourceAllowed { get; private set; }

    public int ExpectedInputSize { get; private set; }

    public int ExpectedOutputSize { get; private set; }

    public int ExpectedLayerCount { get; private set; }

    public long ExpectedParameterCount { get; private set; }

    /// <summary>Array.MaxLength: the most floats the one <c>Parameters</c> buffer can hold; past it, FRNN011.</summary>
    public const long MaximumParameterCount = 0x7FFFFFC7;

    public bool HasOwnTree => Placement == Placement.FileScopedNamespace || SyntaxBreak is not null;

    public bool IsTypeShape => Shape is Shape.Class or Shape.Record or Shape.RecordClass or Shape.PositionalRecord or Shape.Struct or Shape.RecordStruct or Shape.Interface;

    public bool IsModelShape => Shape is Shape.Class or Shape.Record or Shape.RecordClass or Shape.PositionalRecord;

    public IEnumerable<AttributeItem> MainItems => Attributes.SelectMany(list => list.Items);

    public IEnumerable<AttributeItem> AllItems => MainItems.Concat(OtherParts.SelectMany(part => part.Attributes.SelectMany(list => list.Items)));

    public string Keyword => Shape switch
    {
        Shape.Class => "class",
        Shape.Record or Shape.PositionalRecord => "record",
        Shape.RecordClass => "record class",
        Shape.Struct => "struct",
        Shape.RecordStruct => "record struct",
        Shape.Interface => "interface",
        _ => throw new InvalidOperationException(Shape.ToString()),
    };

    /// <summary>The name the generator derives the hint name from, for messages only.</summary>
    public string FullName => string.Join(".", new[] { Namespace }.Concat(Containers.Select(container => container.Name)).Append(Name).OfType<string>());

    /// <summary>
    /// Decides the expected outcome from the case's construction alone, by README's rules: an independent
    /// re-statement of the generator's contract, not a copy of its code.
    /// </summary>
    public void Classify()
    {
        Required.Clear();
        Allowed.Clear();
        CompilerErrors.Clear();
        SourceAllowed = false;

        bool anyFixedRnnAttribute = AllItems.Any(item => item is ModelAttribute or LayerAttribute);
        var modelAttributes = AllItems.OfType<ModelAttribute>().ToList();
        var layers = AllItems.OfType<LayerAttribute>().ToList();

        // Compiler errors the construction causes.
        bool malformed = false;
        foreach (ModelAttribute attribute in modelAttributes)
        {
            foreach (string error in attribute.Errors)
            {
                CompilerErrors.Add(error);
                malformed = true;
            }
        }

        foreach (LayerAttribute layer in layers)
        {
            foreach (string error in layer.Errors)
            {
                CompilerErrors.Add(error);
                malformed = true;
            }
        }

        bool sourceMayStay = false;
        foreach (ForeignAttribute foreign in AllItems.OfType<ForeignAttribute>().Where(item => item.Errors.Length > 0))
        {
            CompilerErrors.UnionWith(foreign.Errors);
            sourceMayStay = true;
        }

        if (!IsModelShape && anyFixedRnnAttribute)
        {
            CompilerErrors.Add("CS0592");
        }

        if (IsModelShape && modelAttributes.Count > 1)
        {
            CompilerErrors.Add("CS0579");
            sourceMayStay = true;
        }

        if (OtherParts.Any(part => !part.Partial) || (!Partial && OtherParts.Count > 0))
        {
            CompilerErrors.Add("CS0260");
            sourceMayStay = true;
        }

        if (OtherParts.Any(part => part.Keyword is not null))
        {
            CompilerErrors.Add("CS0261");
            sourceMayStay = true;
        }

        bool syntaxError = SyntaxBreak is not null;

        // FRNN diagnostics the construction calls for: only a class or record with [RecurrentModel] is a model.
        bool isModel = IsModelShape && modelAttributes.Count > 0;
        if (isModel)
        {
            AddFixedRnnExpectations(modelAttributes[0]);
        }
        else if (modelAttributes.Count == 0)
        {
            // FRNN013: every layer attribute on a type that has no [RecurrentModel] on any of its declarations.
            foreach (LayerAttribute layer in layers)
            {
                Required.Add(new("FRNN013", layer.Text));
            }
        }

        // A user member named like a generated one clashes only with generated code: when FixedRnn rejects the model,
        // nothing is generated, and only a user method that names the generated State fails to compile without it.
        // A bidirectional model has no Step, so a user Step clashes with nothing there.
        bool stepBody = Body.Contains("void Step(", StringComparison.Ordinal);
        bool bidirectional = MainItems.OfType<LayerAttribute>().Any(layer => layer.Bidirectional);
        bool clashesWithGeneratedMember = Body.Contains("InputSize", StringComparison.Ordinal) || Body.Contains("struct State", StringComparison.Ordinal) || (stepBody && !bidirectional);
        bool generates = isModel && Required.Count == 0 && !malformed && !syntaxError;
        if (clashesWithGeneratedMember && generates)
        {
            CompilerErrors.Add("CS0102");
            CompilerErrors.Add("CS0111");
            sourceMayStay = true;
        }
        else if ((clashesWithGeneratedMember || stepBody) && !generates && Body.Contains("ref State", StringComparison.Ordinal) && !Body.Contains("struct State", StringComparison.Ordinal))
        {
            CompilerErrors.Add("CS0246");
        }

        if (syntaxError)
        {
            Verdict = Verdict.CompilerError;
            CompilerErrors.Clear();
            SourceAllowed = true;
            PromoteRequiredToAllowed();
            Allowed.UnionWith(new[] { "FRNN001", "FRNN002", "FRNN003", "FRNN004", "FRNN005", "FRNN006", "FRNN007", "FRNN008", "FRNN009", "FRNN010", "FRNN013" });
        }
        else if (CompilerErrors.Count > 0)
        {
            Verdict = Verdict.CompilerError;
            SourceAllowed = sourceMayStay && !malformed;
            PromoteRequiredToAllowed();
            if (isModel)
            {
                // The compiler's error may hide a layer from the generator, or a duplicate may be read
                // as a second declaration: what depends on the layers is optional.
                Allowed.UnionWith(new[] { "FRNN004", "FRNN005", "FRNN006", "FRNN007", "FRNN008" });
            }
            else if (layers.Count > 0)
            {
                // Layer attributes the compiler rejects (on a struct, say) may still be named as orphans.
                Allowed.Add("FRNN013");
            }
        }
        else if (Required.Count > 0)
        {
            Verdict = Verdict.FixedRnnError;
        }
        else if (!isModel)
        {
            Verdict = Verdict.Ignored;
            Allowed.Clear();
        }
        else
        {
            Verdict = Verdict.Valid;
            var modelLayers = MainItems.OfType<LayerAttribute>().ToList();
            ExpectedInputSize = modelAttributes[0].Input!.Value!.Value;
            ExpectedOutputSize = modelLayers[^1].OutputWidth!.Value;
            ExpectedLayerCount = modelLayers.Count;
            ExpectedParameterCount = MainParameterCount()!.Value;
        }
    }

    private void PromoteRequiredToAllowed()
    {
        Allowed.UnionWith(Required.Select(expected => expected.Id));
        Required.Clear();
    }

    private void AddFixedRnnExpectations(ModelAttribute model)
    {
        // FRNN009: the generator's public API names the model cannot take (the generator's own list, read through
        // InternalsVisibleTo: which names to reserve is the generator's decision; that it reports them is the test).
        if (RandomDeclarations.GeneratedMemberNames.Contains(Name.TrimStart('@'), StringComparer.Ordinal))
        {
            Required.Add(new("FRNN009", Name));
        }

        // FRNN010: a file-local model cannot be completed from the generated files.
        if (Access == "file")
        {
            Required.Add(new("FRNN010", Name));
        }

        // FRNN001: the model and every containing type must be partial.
        if (!Partial)
        {
            Required.Add(new("FRNN001", Name));
        }

        foreach (Container container in Containers.Where(container => !container.Partial))
        {
            Required.Add(new("FRNN001", container.Name));
        }

        if (Static)
        {
            Required.Add(new("FRNN002", Name));
        }

        if (TypeParameters.Length > 0 || Containers.Any(container => container.TypeParameters.Length > 0))
        {
            Required.Add(new("FRNN003", Name));
        }

        if (model is { WellFormed: true, Input.Value: int input } && !InRange(input))
        {
            Required.Add(new("FRNN005", model.Input.Text));
        }

        // FRNN008: every layer attribute on another partial declaration; its own mistakes may go unreported.
        var splitLayers = OtherParts.SelectMany(part => part.Attributes.SelectMany(list => list.Items)).OfType<LayerAttribute>().ToList();
        foreach (LayerAttribute layer in splitLayers)
        {
            Required.Add(new("FRNN008", layer.Text));
            if (layer.SizeValue is int size && !InRange(size))
            {
                Allowed.Add("FRNN005");
            }

            if (layer.ActivationUndefined)
            {
                Allowed.Add("FRNN006");
            }
        }

        var layers = MainItems.OfType<LayerAttribute>().ToList();
        bool everyLayerFine = true;
        for (int index = 0; index < layers.Count; index++)
        {
            LayerAttribute layer = layers[index];
            bool fine = true;
            if (layer.SizeValue is int size && !InRange(size))
            {
                Required.Add(new("FRNN005", layer.Size!.Text));
                fine = false;
            }

            if (layer.ActivationUndefined)
            {
                Required.Add(new("FRNN006", layer.Activation!.Text));
                fine = false;
            }

            if (layer.Type == LayerType.Dense && index != layers.Count - 1)
            {
                // A Dense head before another layer; when the Dense is itself invalid, that is reported instead.
                if (fine)
                {
                    Required.Add(new("FRNN007", layer.Text));
                }
                else
                {
                    Allowed.Add("FRNN007");
                }

                fine = false;
            }

            everyLayerFine &= fine;
        }

        if (!layers.Any(layer => layer.IsRecurrent))
        {
            if (everyLayerFine && splitLayers.Count == 0)
            {
                Required.Add(new("FRNN004", Name));
            }
            else
            {
                Allowed.Add("FRNN004");
            }
        }

        // FRNN011 is the last check, on a model that is otherwise fine: its parameter count means nothing before.
        if (Required.Count == 0 && MainParameterCount() > MaximumParameterCount)
        {
            Required.Add(new("FRNN011", Name));
        }
    }

    /// <summary>
    /// The floats of <c>Parameters</c> for the main declaration's layers, as the README's "How the kernels work"
    /// lays them out: units padded to 8-lane blocks, input and recurrent weights per gate, one bias per gate where
    /// PyTorch's <c>b_ih + b_hh</c> fold (LSTM, reset-before GRU), plus <c>b_hn</c> for a reset-after GRU; a Dense
    /// head has input weights and a bias. <see langword="null"/> when a size cannot be read.
    /// </summary>
    public long? MainParameterCount()
    {
        ModelAttribute? model = MainItems.OfType<ModelAttribute>().FirstOrDefault();
        if (model is not { WellFormed: true, Input.Value: int inputs })
        {
            return null;
        }

        long total = 0;
        foreach (LayerAttribute layer in MainItems.OfType<LayerAttribute>())
        {
            if (layer.SizeValue is not int units)
            {
                return null;
            }

            long padded = (units + 7L) / 8 * 8;
            (int gates, int biases, bool recurrent) = layer.Type switch
            {
                LayerType.Lstm => (4, 4, true),
                LayerType.Gru => (3, layer.ResetAfter ? 4 : 3, true),
                LayerType.Rnn => (1, 1, true),
                _ => (1, 1, false),
            };
            // A peephole LSTM adds its diagonal weights: p_i, p_f, p_o per unit. A projected one reads an h of P units
            // and adds W_hr, P units padded to blocks by H rows; it passes P features up.
            long peepholes = layer.Type == LayerType.Lstm && layer.Peepholes ? padded * 3 : 0;
            int projection = layer.Type == LayerType.Lstm ? layer.ProjectionSize : 0;
            int h = projection > 0 ? projection : units;
            long projectionWeights = projection > 0 ? (projection + 7L) / 8 * 8 * units : 0;

            // A bidirectional layer has a second direction of the same shape.
            int directions = recurrent && layer.Bidirectional ? 2 : 1;
            total += directions * ((padded * gates * (inputs + (recurrent ? h : 0L))) + (padded * biases) + peepholes + projectionWeights);
            inputs = layer.OutputWidth!.Value;
        }

        return total;
    }

    public static bool InRange(int size) => size is >= 1 and <= 4096;

    /// <summary>A one-line description for failure messages.</summary>
    public string Describe()
        => $"case {Id} [{Category}] {FullName}: expected {Verdict}"
            + (Required.Count > 0 ? $" with {string.Join(", ", Required.Select(expected => $"{expected.Id} on '{expected.Text}'"))}" : string.Empty)
            + (CompilerErrors.Count > 0 ? $" (compiler: {string.Join("|", CompilerErrors.OrderBy(id => id, StringComparer.Ordinal))})" : string.Empty);

    // ---- Rendering ----

    /// <summary>
    /// The case's source, as fragments: <c>(null, text)</c> goes into the batch's shared file, <c>(key, text)</c>
    /// into a file of its own (one per distinct key).
    /// </summary>
    public List<(string? Tree, string Text)> Render()
    {
        var fragments = new List<(string? Tree, string Text)>();
        string main = RenderScope(RenderMainDeclaration() + string.Join(string.Empty, OtherParts.Where(part => !part.OtherTree).Select(RenderOtherPart)), withExtras: true);
        if (SyntaxBreak is (string find, string replace))
        {
            int at = main.LastIndexOf(find, StringComparison.Ordinal);
            if (at < 0)
            {
                throw new InvalidOperationException($"Case {Id}: '{find}' not found in\n{main}");
            }

            main = main.Substring(0, at) + replace + main.Substring(at + find.Length);
        }

        fragments.Add((HasOwnTree ? $"case{Id}" : null, main));
        int index = 0;
        foreach (OtherPart part in OtherParts.Where(part => part.OtherTree))
        {
            fragments.Add(($"case{Id}part{index++}", RenderScope(RenderOtherPart(part), withExtras: false, forceFileScoped: true)));
        }

        return fragments;
    }

    private string RenderScope(string declarations, bool withExtras, bool forceFileScoped = false)
    {
        var inner = new StringBuilder();
        if (withExtras)
        {
            if (Constants.Count > 0)
            {
                inner.Append($"static class K{Id} {{ {string.Join(" ", Constants.Select(constant => $"public const int {constant.Name} = {constant.Value};"))} }}\n");
            }

            foreach (string neighbour in Neighbours)
            {
                inner.Append(neighbour).Append('\n');
            }
        }

        foreach (Container container in Containers)
        {
            string modifiers = container.Partial ? "partial " : string.Empty;
            string keyword = container.Keyword;
            string prefix = keyword.StartsWith("static ", StringComparison.Ordinal) || keyword.StartsWith("abstract ", StringComparison.Ordinal) || keyword.StartsWith("sealed ", StringComparison.Ordinal) || keyword.StartsWith("readonly ", StringComparison.Ordinal) || keyword.StartsWith("ref ", StringComparison.Ordinal)
                ? keyword.Substring(0, keyword.IndexOf(' ', StringComparison.Ordinal) + 1)
                : string.Empty;
            string bare = keyword.Substring(prefix.Length);
            string parameters = withExtras ? container.Parameters : string.Empty;
            inner.Append($"public {prefix}{modifiers}{bare} {container.Name}{container.TypeParameters}{parameters}\n{{\n");
        }

        inner.Append(declarations);
        foreach (Container _ in Containers)
        {
            inner.Append("}\n");
        }

        string aliases = string.Concat(Aliases.Select(alias => alias + "\n"));
        if (Namespace is null)
        {
            return inner.ToString();
        }

        if (Placement == Placement.FileScopedNamespace || forceFileScoped)
        {
            return $"namespace {Namespace};\n{aliases}{inner}";
        }

        if (NestedNamespaceSyntax)
        {
            int dot = Namespace.IndexOf('.', StringComparison.Ordinal);
            return $"namespace {Namespace.Substring(0, dot)}\n{{\nnamespace {Namespace.Substring(dot + 1)}\n{{\n{aliases}{inner}}}\n}}\n";
        }

        return $"namespace {Namespace}\n{{\n{aliases}{inner}}}\n";
    }

    private string RenderAttributes(List<AttributeList> lists, List<string>? separators)
    {
        var text = new StringBuilder();
        for (int index = 0; index < lists.Count; index++)
        {
            AttributeList list = lists[index];
            text.Append('[').Append(list.TypeTarget ? "type: " : string.Empty).Append(string.Join(", ", list.Items.Select(item => item.Text))).Append(']');
            text.Append(separators is not null && index < separators.Count ? separators[index] : "\n");
        }

        return text.ToString();
    }

    private string RenderMainDeclaration()
    {
        string attributes = RenderAttributes(Attributes, Separators);
        switch (Shape)
        {
            case Shape.Enum:
                return $"{attributes}public enum {Name} {{ A, B }}\n";
            case Shape.Delegate:
                return $"{attributes}public delegate void {Name}(int value);\n";
            case Shape.FieldHost:
                return $"public partial class {Name}\n{{\n{attributes}public int Field;\n}}\n";
            case Shape.MethodHost:
                return $"public partial class {Name}\n{{\n{attributes}public static void Run() {{ }}\n}}\n";
        }

        var modifiers = new List<string>();
        if (Access.Length > 0)
        {
            modifiers.Add(Access);
        }

        if (Static)
        {
            modifiers.Add("static");
        }

        if (Abstract)
        {
            modifiers.Add("abstract");
        }

        if (Sealed)
        {
            modifiers.Add("sealed");
        }

        if (SwapModifierOrder && modifiers.Count > 1)
        {
            modifiers.Reverse();
        }

        if (Partial)
        {
            modifiers.Add("partial");
        }

        string parameters = Shape == Shape.PositionalRecord ? $"(int Value{Id})" : string.Empty;
        string constraints = Constraints.Length > 0 ? " " + Constraints : string.Empty;
        return $"{attributes}{string.Join(" ", modifiers)} {Keyword} {Name}{TypeParameters}{parameters}{constraints}{Spaced(Body)}\n";
    }

    private string RenderOtherPart(OtherPart part)
    {
        var modifiers = new List<string>();
        if (Static)
        {
            modifiers.Add("static");
        }

        if (part.Partial)
        {
            modifiers.Add("partial");
        }

        string keyword = part.Keyword ?? Keyword;
        return $"{RenderAttributes(part.Attributes, null)}{string.Join(" ", modifiers)} {keyword} {Name}{TypeParameters}{Spaced(part.Body)}\n";
    }

    private static string Spaced(string body) => body == ";" ? ";" : " " + body;
}

/// <summary>Builds random <see cref="FuzzCase"/>s, steered by category, from one seeded <see cref="Random"/>.</summary>
/// <param name="seed">The seed of the one <see cref="Random"/> everything is drawn from.</param>
/// <param name="casesPerCompilation">How many consecutive cases share a compilation: two models whose names differ only in case must share one.</param>
internal sealed class RandomDeclarations(int seed, int casesPerCompilation)
{
    /// <summary>Categories and their weights (per mille). The valid share is small because compiling a model is the expensive part.</summary>
    public static readonly (string Name, int Weight)[] Categories =
    {
        ("Valid", 25),
        ("FRNN001 model not partial", 65),
        ("FRNN001 container not partial", 55),
        ("FRNN002 static model", 55),
        ("FRNN003 generic model", 45),
        ("FRNN003 nested in generic type", 45),
        ("FRNN004 no recurrent layer", 65),
        ("FRNN005 size out of range", 90),
        ("FRNN006 undefined activation", 70),
        ("FRNN007 Dense not last", 70),
        ("FRNN008 layers split across declarations", 80),
        ("FRNN009 named like a generated member", 15),
        ("FRNN010 file-local model", 10),
        ("FRNN011 model too large", 10),
        ("Several FRNN errors", 85),
        ("Malformed layer attribute", 75),
        ("Malformed [RecurrentModel]", 35),
        ("Attributes on a struct, interface or member", 30),
        ("Duplicate [RecurrentModel]", 12),
        ("Other compiler error", 10),
        ("Syntax error", 20),
        ("FRNN013 layers without [RecurrentModel]", 33),
    };

    private static readonly string[] TrickyNames =
    {
        "Buffer", "TBlock", "TTrace", "Activations", "Math", "System", "FixedRnn", "Span", "MemoryMarshal", "Unsafe",
        "Vector256", "Vector128", "var", "dynamic", "T", "Global", "Model", "IRecurrentModel", "SafeTensorsFile", "Layer",
    };

    /// <summary>The generator's own list of the names FRNN009 reserves, in a fixed order so that a seed replays.</summary>
    public static readonly string[] GeneratedMemberNames = ModelParser.GeneratedMemberNames.OrderBy(name => name, StringComparer.Ordinal).ToArray();

    /// <summary>Members of the kernel classes, which FRNN009 once reserved too: free for models since the kernels left the model type.</summary>
    private static readonly string[] KernelNames =
    {
        "Layer0", "Layer1", "Layer0Backward", "Layer0Projected", "StepCore", "ForwardCore", "BackwardCore", "RecordCore", "RecordState",
        "StepsOf", "Record", "Pack", "Unpack", "Initial", "Layers", "Kernels", "Interop",
    };

    /// <summary>Types the generated code names, which a user type of the same name in the model's namespace could capture.</summary>
    private static readonly string[] FrameworkTypeDecoys =
    {
        "public class nint { }", "public class nuint { }", "public static class Vector256 { }", "public static class Vector128 { }",
        "public struct Vector256<T> { }", "public static class Unsafe { }", "public static class MemoryMarshal { }", "public class Span { }",
        "public readonly struct Span<T> { }", "public readonly struct ReadOnlySpan<T> { }", "public class System { }", "public static class Math { }",
        "public static class MathF { }", "public class IntPtr { }", "public class ArgumentException : global::System.Exception { }",
        "public static class FloatBlock256 { }", "public class AlignedFloats { }", "public static class MemoryExtensions { }",
    };

    private static readonly string[] ContainerKeywords =
    {
        "class", "class", "static class", "abstract class", "sealed class", "struct", "readonly struct", "ref struct",
        "record", "record class", "record struct", "readonly record struct", "interface",
    };

    private readonly Random _random = new(seed);
    /// <summary>The cases declared directly in the global namespace so far, and their names.</summary>
    private readonly List<(int Id, string Name)> _globalNames = new();

    public List<FuzzCase> Create(int count)
    {
        int total = Categories.Sum(category => category.Weight);
        var cases = new List<FuzzCase>(count);
        for (int id = 0; id < count; id++)
        {
            int roll = _random.Next(total);
            string category = Categories.First(category => (roll -= category.Weight) < 0).Name;
            FuzzCase fuzzCase = Create(id, category);
            fuzzCase.Classify();
            cases.Add(fuzzCase);
        }

        return cases;
    }

    private FuzzCase Create(int id, string category)
    {
        FuzzCase c = NewModel(id, category);
        switch (category)
        {
            case "Valid":
                break;
            case "FRNN001 model not partial":
                MakeNotPartial(c);
                break;
            case "FRNN001 container not partial":
                MakeContainerNotPartial(c);
                break;
            case "FRNN002 static model":
                MakeStatic(c);
                break;
            case "FRNN003 generic model":
                MakeGeneric(c);
                break;
            case "FRNN003 nested in generic type":
                MakeNestedInGeneric(c);
                break;
            case "FRNN004 no recurrent layer":
                RemoveRecurrentLayers(c);
                break;
            case "FRNN005 size out of range":
                BreakSizes(c);
                break;
            case "FRNN006 undefined activation":
                BreakActivation(c);
                break;
            case "FRNN007 Dense not last":
                MisplaceDense(c);
                break;
            case "FRNN008 layers split across declarations":
                SplitLayers(c);
                break;
            case "Several FRNN errors":
                SeveralErrors(c);
                break;
            case "Malformed layer attribute":
                MalformLayer(c);
                if (Chance(0.3))
                {
                    SeveralErrors(c, 1);
                }

                break;
            case "Malformed [RecurrentModel]":
                MalformModelAttribute(c);
                break;
            case "Attributes on a struct, interface or member":
                WrongTarget(c);
                break;
            case "Duplicate [RecurrentModel]":
                DuplicateModelAttribute(c);
                break;
            case "Other compiler error":
                OtherCompilerError(c);
                break;
            case "Syntax error":
                BreakSyntax(c);
                break;
            case "FRNN009 named like a generated member":
                NameLikeGeneratedMember(c);
                break;
            case "FRNN010 file-local model":
                MakeFileLocal(c);
                break;
            case "FRNN011 model too large":
                MakeTooLarge(c);
                break;
            case "FRNN013 layers without [RecurrentModel]":
                RemoveModelAttribute(c);
                break;
            default:
                throw new InvalidOperationException(category);
        }

        if (Chance(0.06))
        {
            AddFormerBug(c);
        }

        if (c.Placement == Placement.GlobalNamespace && c.Containers.Count == 0)
        {
            _globalNames.Add((c.Id, c.Name));
        }

        Regroup(c);
        return c;
    }

    // ---- The starting point: a valid model ----

    private FuzzCase NewModel(int id, string category)
    {
        Placement placement = Pick(Placement.GlobalNamespace, Placement.BlockNamespace, Placement.BlockNamespace, Placement.FileScopedNamespace);
        string name = placement == Placement.GlobalNamespace
            ? Pick($"G{id}", $"GlobalModel{id}", $"G{id}_Net")
            : Chance(0.15) ? Pick(TrickyNames) : Pick($"M{id}", $"Net{id}", $"Predictor{id}", $"M{id}_x");
        var c = new FuzzCase { Id = id, Category = category, Name = name, Placement = placement };
        if (placement != Placement.GlobalNamespace)
        {
            c.Namespace = $"Fuzz.{(placement == Placement.FileScopedNamespace ? "F" : "C")}{id}" + Pick(string.Empty, string.Empty, ".Models", ".System", ".FixedRnn", ".Models.Deep");
            c.NestedNamespaceSyntax = placement == Placement.BlockNamespace && Chance(0.2);
        }

        int depth = Pick(0, 0, 0, 1, 1, 2);
        for (int level = 0; level < depth; level++)
        {
            c.Containers.Add(NewContainer(c, level));
        }

        c.Shape = Pick(Shape.Class, Shape.Class, Shape.Class, Shape.Class, Shape.Class, Shape.Record, Shape.RecordClass, Shape.PositionalRecord);
        c.Access = PickAccess(c);
        int roll = _random.Next(10);
        c.Abstract = roll == 0;
        c.Sealed = roll == 1;
        c.SwapModifierOrder = Chance(0.2);
        c.Body = Pick(";", ";", "{ }", $"{{ public int Extra{id} => {id}; }}", $"{{\n    // user code\n    public static int Count{id} {{ get; set; }}\n}}");

        c.Attributes.Add(new AttributeList(new List<AttributeItem> { NewModelAttribute(c, ValidSize(c, input: true)) }, false));
        int recurrent = Pick(1, 1, 1, 1, 2, 2, 3);
        for (int index = 0; index < recurrent; index++)
        {
            c.Attributes[0].Items.Add(NewLayer(c, Pick(LayerType.Rnn, LayerType.Lstm, LayerType.Gru), ValidSize(c, input: false)));
        }

        if (Chance(0.4))
        {
            c.Attributes[0].Items.Add(NewLayer(c, LayerType.Dense, ValidSize(c, input: false)));
        }

        if (Chance(0.1))
        {
            c.Attributes[0].Items.Insert(_random.Next(c.Attributes[0].Items.Count + 1), new ForeignAttribute(Pick(
                "global::System.Serializable",
                "global::System.ComponentModel.Description(\"a model\")",
                "global::System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage")));
        }

        if (Chance(0.15))
        {
            // A second partial declaration with no layer on it: legal, the layers stay in one place.
            c.OtherParts.Add(new OtherPart { OtherTree = Chance(0.5), Body = Pick("{ }", $"{{ public int Other{id} => 1; }}") });
        }

        return c;
    }

    private Container NewContainer(FuzzCase c, int level)
    {
        string keyword = Pick(ContainerKeywords);
        string parameters = keyword is "record" or "record struct" or "readonly record struct" && Chance(0.3) ? $"(int P{level})" : string.Empty;
        string name = c.Placement == Placement.GlobalNamespace ? $"GOuter{c.Id}_{level}" : Pick($"Outer{level}", $"Holder{level}", $"Models{level}");
        if (c.Containers.Any(container => container.Name == name) || name == c.Name)
        {
            name = $"Outer{c.Id}_{level}";
        }

        return new Container(keyword, name, true, string.Empty, parameters);
    }

    private string PickAccess(FuzzCase c)
    {
        if (c.Containers.Count == 0)
        {
            return Pick("public", "public", "internal", string.Empty);
        }

        Container inner = c.Containers[^1];
        if (inner.IsInterface)
        {
            return Pick("public", "internal", string.Empty);
        }

        // Protected members belong in classes that can be derived from (CS0666 in a struct, CS1057 in a static class).
        return inner.IsStruct || inner.IsStatic
            ? Pick("public", "internal", "private", string.Empty)
            : Pick("public", "public", "internal", "internal", "private", string.Empty, "protected", "protected internal", "private protected");
    }

    private bool FixedRnnShadowed(FuzzCase c)
        => c.Name is "FixedRnn" || (c.Namespace?.Contains("FixedRnn", StringComparison.Ordinal) ?? false) || c.Containers.Any(container => container.Name == "FixedRnn");

    /// <summary>An attribute name as written: short, with suffix, qualified, global, or through an alias.</summary>
    private string AttributeName(FuzzCase c, string shortName)
    {
        bool shadowed = FixedRnnShadowed(c);
        int roll = _random.Next(20);
        if (roll < 12)
        {
            return shortName;
        }

        if (roll < 14)
        {
            return shortName + "Attribute";
        }

        if (roll < 16 && !shadowed)
        {
            return Pick($"FixedRnn.{shortName}", $"FixedRnn.{shortName}Attribute");
        }

        if (roll < 18)
        {
            return Pick($"global::FixedRnn.{shortName}", $"global::FixedRnn.{shortName}Attribute");
        }

        if (c.Placement != Placement.GlobalNamespace)
        {
            string alias = $"{shortName}Alias{c.Id}";
            string directive = $"using {alias} = global::FixedRnn.{shortName}Attribute;";
            if (!c.Aliases.Contains(directive))
            {
                c.Aliases.Add(directive);
            }

            return alias;
        }

        return shortName;
    }

    private ModelAttribute NewModelAttribute(FuzzCase c, Arg input)
    {
        bool named = Chance(0.3);
        return new ModelAttribute
        {
            Name = AttributeName(c, "RecurrentModel"),
            Input = input,
            Arguments = named ? $"(inputSize: {input.Text})" : $"({input.Text})",
        };
    }

    private LayerAttribute NewLayer(FuzzCase c, LayerType type, Arg size, List<NamedArg>? named = null)
    {
        string parameter = type == LayerType.Dense ? "outputSize" : "hiddenSize";
        named ??= ValidNamedArguments(type, size.Value);
        return new LayerAttribute
        {
            Type = type,
            Name = AttributeName(c, type.ToString()),
            Size = size,
            Positional = Chance(0.2) ? $"{parameter}: {size.Text}" : size.Text,
            Named = named,
        };
    }

    private List<NamedArg> ValidNamedArguments(LayerType type, int? size)
    {
        var named = new List<NamedArg>();
        switch (type)
        {
            case LayerType.Rnn when Chance(0.6):
                named.Add(new NamedArg("Activation", Pick(
                    new Arg("RnnActivation.Tanh", 0), new Arg("RnnActivation.Relu", 1), new Arg("(RnnActivation)0", 0), new Arg("(RnnActivation)1", 1),
                    new Arg("0", 0), new Arg("global::FixedRnn.RnnActivation.Relu", 1), new Arg("RnnActivation.Relu | RnnActivation.Tanh", 1),
                    new Arg("RnnActivation.Tanh + 1", 1))));
                break;
            case LayerType.Dense when Chance(0.6):
                named.Add(new NamedArg("Activation", Pick(
                    new Arg("DenseActivation.Identity", 0), new Arg("DenseActivation.Tanh", 1), new Arg("DenseActivation.Sigmoid", 2), new Arg("DenseActivation.Relu", 3),
                    new Arg("(DenseActivation)2", 2), new Arg("0", 0), new Arg("DenseActivation.Tanh | DenseActivation.Sigmoid", 3), new Arg("DenseActivation.Identity + 3", 3))));
                break;
            case LayerType.Gru when Chance(0.5):
                named.Add(new NamedArg("ResetAfter", Pick(new Arg("true", 1), new Arg("false", 0), new Arg("!true", 0), new Arg("1 == 1", 1), new Arg("false || true", 1))));
                break;
            case LayerType.Lstm when Chance(0.4):
                named.Add(new NamedArg("Peepholes", Pick(new Arg("true", 1), new Arg("false", 0), new Arg("!false", 1), new Arg("1 == 2", 0))));
                break;
            case LayerType.Lstm when size is > 1 and <= 4096 && Chance(0.3):
                // PyTorch's proj_size: 1 to H - 1, now and then at either end.
                int projection = _random.Next(4) switch { 0 => 1, 1 => size.Value - 1, _ => _random.Next(1, size.Value) };
                named.Add(new NamedArg("ProjectionSize", Chance(0.5) ? new Arg($"{projection}", projection) : new Arg($"{size.Value} - {size.Value - projection}", projection)));
                break;
        }

        if (type != LayerType.Dense && Chance(0.15))
        {
            // Bidirectional, and with it now and then a merge mode (a Merge without it is FRNN017, not fuzzed here).
            Arg bidirectional = Pick(new Arg("true", 1), new Arg("false", 0), new Arg("!false", 1));
            named.Add(new NamedArg("Bidirectional", bidirectional));
            if (bidirectional.Value is 1 && Chance(0.5))
            {
                named.Add(new NamedArg("Merge", Pick(
                    new Arg("BidirectionalMerge.Concat", 0), new Arg("BidirectionalMerge.Sum", 1), new Arg("BidirectionalMerge.Average", 2),
                    new Arg("BidirectionalMerge.Multiply", 3), new Arg("(BidirectionalMerge)1", 1))));
            }
        }

        return named;
    }

    /// <summary>A size from 1 to 64, now and then 1, 8, 9 or the 4096 boundary, in one of several constant forms.</summary>
    private Arg ValidSize(FuzzCase c, bool input)
    {
        int roll = _random.Next(100);
        int value = roll switch
        {
            < 6 => 1,
            < 12 => Pick(8, 9, 16, 17),
            < 13 => 4096,
            _ => _random.Next(1, input ? 33 : 65),
        };
        return SizeText(c, value);
    }

    private Arg SizeText(FuzzCase c, int value)
    {
        int roll = _random.Next(100);
        if (roll < 70)
        {
            return new Arg(value switch
            {
                int.MaxValue => Pick("int.MaxValue", "2147483647"),
                int.MinValue => Pick("int.MinValue", "-2147483648"),
                _ => value.ToString(CultureInfo.InvariantCulture),
            }, value);
        }

        if (roll < 75)
        {
            string constant = $"S{c.Constants.Count}";
            c.Constants.Add((constant, value));
            return new Arg($"K{c.Id}.{constant}", value);
        }

        string? special = value switch
        {
            0 => Pick("default", "0 * 7", "-0", "(int)0L"),
            -1 => Pick("unchecked((int)0xFFFFFFFF)", "-(1)", "~0"),
            4 => Pick("sizeof(int)", "2 + 2"),
            8 => Pick("sizeof(long)", "1 << 3"),
            4096 => Pick("1 << 12", "0x1000", "4 * 1024", "(int)4096L"),
            4097 => Pick("4096 + 1", "0x1001", "(1 << 12) + 1"),
            int.MaxValue => Pick("int.MaxValue", "0x7FFFFFFF"),
            int.MinValue => Pick("int.MinValue", "unchecked(int.MaxValue + 1)"),
            _ => null,
        };
        if (special is not null)
        {
            return new Arg(special, value);
        }

        return value >= 0
            ? new Arg(Pick($"({value})", $"+{value}", $"0x{value:X}", $"{value} * 1"), value)
            : new Arg(Pick($"-{-(long)value}", $"({value})"), value);
    }

    private Arg BadSize(FuzzCase c)
    {
        int value = _random.Next(12) switch
        {
            0 or 1 => 0,
            2 or 3 => -1,
            4 => -_random.Next(2, 5000),
            5 => int.MinValue,
            6 => int.MaxValue,
            7 or 8 => 4097,
            9 => _random.Next(4098, 1_000_000),
            10 => 1 << 30,
            _ => Pick(8192, 65536, 4100),
        };
        return SizeText(c, value);
    }

    // ---- Category mutations ----

    private void MakeNotPartial(FuzzCase c)
    {
        c.Partial = false;
        c.OtherParts.Clear();
    }

    private void MakeContainerNotPartial(FuzzCase c)
    {
        if (c.Containers.Count == 0)
        {
            c.Containers.Add(NewContainer(c, 0));
        }

        int index = _random.Next(c.Containers.Count);
        c.Containers[index] = c.Containers[index] with { Partial = false };
        if (Chance(0.2))
        {
            c.Containers[0] = c.Containers[0] with { Partial = false };
        }

        c.OtherParts.Clear();
    }

    private void MakeStatic(FuzzCase c)
    {
        c.Shape = Shape.Class;
        c.Static = true;
        c.Abstract = false;
        c.Sealed = false;
        c.Body = Pick(";", "{ }", $"{{ public static int Extra{c.Id} => 1; }}");
        foreach (OtherPart part in c.OtherParts)
        {
            part.Body = "{ }";
        }

        if (Chance(0.15))
        {
            c.Partial = false;
            c.OtherParts.Clear();
        }
    }

    private void MakeGeneric(FuzzCase c)
    {
        c.TypeParameters = Pick("<TIn>", "<TIn, TOut>", "<TIn>", "<TIn>");
        c.Constraints = Pick(string.Empty, string.Empty, "where TIn : struct", "where TIn : class, new()");
    }

    private void MakeNestedInGeneric(FuzzCase c)
    {
        if (c.Containers.Count == 0)
        {
            c.Containers.Add(NewContainer(c, 0));
        }

        int index = _random.Next(c.Containers.Count);
        Container container = c.Containers[index];
        c.Containers[index] = container with { TypeParameters = Pick("<TOuter>", "<TOuter, TOther>") };
    }

    private List<LayerAttribute> Layers(FuzzCase c) => c.Attributes.SelectMany(list => list.Items).OfType<LayerAttribute>().ToList();

    private void RemoveRecurrentLayers(FuzzCase c)
    {
        foreach (AttributeList list in c.Attributes)
        {
            list.Items.RemoveAll(item => item is LayerAttribute { IsRecurrent: true });
        }

        if (Chance(0.4) && !Layers(c).Any())
        {
            c.Attributes[0].Items.Add(NewLayer(c, LayerType.Dense, ValidSize(c, input: false)));
        }
    }

    private void BreakSizes(FuzzCase c)
    {
        int breaks = Pick(1, 1, 1, 2, 3);
        for (int index = 0; index < breaks; index++)
        {
            var layers = Layers(c);
            int target = _random.Next(layers.Count + 1);
            if (target == layers.Count)
            {
                ModelAttribute model = c.Attributes.SelectMany(list => list.Items).OfType<ModelAttribute>().First();
                Replace(c, model, NewModelAttribute(c, BadSize(c)));
            }
            else
            {
                LayerAttribute layer = layers[target];
                Replace(c, layer, NewLayer(c, layer.Type, BadSize(c), layer.Named));
            }
        }
    }

    private void BreakActivation(FuzzCase c)
    {
        var candidates = Layers(c).Where(layer => layer.Type is LayerType.Rnn or LayerType.Dense).ToList();
        LayerAttribute target;
        if (candidates.Count == 0 || Chance(0.3))
        {
            LayerType type = Pick(LayerType.Rnn, LayerType.Dense);
            target = NewLayer(c, type, ValidSize(c, input: false), new List<NamedArg>());
            if (type == LayerType.Dense)
            {
                c.Attributes[^1].Items.Add(target);
                foreach (LayerAttribute dense in Layers(c).Where(layer => layer.Type == LayerType.Dense && layer != target))
                {
                    Remove(c, dense);
                }
            }
            else
            {
                c.Attributes[0].Items.Insert(1, target);
            }
        }
        else
        {
            target = Pick(candidates.ToArray());
        }

        Arg undefined = target.Type == LayerType.Rnn
            ? Pick(new Arg("(RnnActivation)9", 9), new Arg("(RnnActivation)2", 2), new Arg("(RnnActivation)(-1)", -1), new Arg("(RnnActivation)int.MaxValue", int.MaxValue),
                new Arg("(RnnActivation)int.MinValue", int.MinValue), new Arg("RnnActivation.Relu + 1", 2), new Arg("(RnnActivation)1 | (RnnActivation)2", 3), new Arg("(RnnActivation)7", 7))
            : Pick(new Arg("(DenseActivation)4", 4), new Arg("(DenseActivation)(-1)", -1), new Arg("(DenseActivation)100", 100), new Arg("DenseActivation.Relu + 1", 4),
                new Arg("(DenseActivation)int.MinValue", int.MinValue), new Arg("(DenseActivation)7", 7));
        var named = target.Named.Where(argument => argument.Name != "Activation").ToList();
        named.Insert(Chance(0.5) ? 0 : named.Count, new NamedArg("Activation", undefined));
        Replace(c, target, target.WithNamed(named));
    }

    private void MisplaceDense(FuzzCase c)
    {
        var layers = Layers(c);
        LayerAttribute dense = layers.FirstOrDefault(layer => layer.Type == LayerType.Dense) ?? NewLayer(c, LayerType.Dense, ValidSize(c, input: false));
        Remove(c, dense);
        int roll = _random.Next(3);
        if (roll == 0)
        {
            // Dense first, then the recurrent layers.
            InsertBefore(c, Layers(c)[0], dense);
        }
        else if (roll == 1)
        {
            // Dense between recurrent layers, or a recurrent layer after the head.
            List<LayerAttribute> rest = Layers(c);
            InsertBefore(c, rest[_random.Next(rest.Count)], dense);
        }
        else
        {
            // Two Dense heads.
            c.Attributes[^1].Items.Add(dense);
            c.Attributes[^1].Items.Add(NewLayer(c, LayerType.Dense, ValidSize(c, input: false)));
        }
    }

    private void SplitLayers(FuzzCase c)
    {
        foreach (Container container in c.Containers.ToList())
        {
            int index = c.Containers.IndexOf(container);
            c.Containers[index] = container with { Partial = true };
        }

        c.Partial = true;
        var layers = Layers(c);
        int moved = Math.Max(1, _random.Next(layers.Count + 1));
        var part = new OtherPart { OtherTree = Chance(0.5), Body = c.Static ? "{ }" : Pick("{ }", "{ public int Split => 2; }") };
        List<LayerAttribute> chosen = Chance(0.5) ? layers.Skip(layers.Count - moved).ToList() : layers.OrderBy(_ => _random.Next()).Take(moved).ToList();
        if (chosen.Count == 0)
        {
            chosen.Add(NewLayer(c, LayerType.Lstm, ValidSize(c, input: false)));
        }

        foreach (LayerAttribute layer in chosen)
        {
            Remove(c, layer);
        }

        part.Attributes.Add(new AttributeList(chosen.Cast<AttributeItem>().ToList(), Chance(0.2)));
        c.OtherParts.Add(part);
        if (Chance(0.15))
        {
            // Yet another declaration with a layer on it.
            var third = new OtherPart { OtherTree = !part.OtherTree, Body = "{ }" };
            third.Attributes.Add(new AttributeList(new List<AttributeItem> { NewLayer(c, Pick(LayerType.Lstm, LayerType.Gru, LayerType.Rnn), ValidSize(c, input: false)) }, false));
            c.OtherParts.Add(third);
        }
    }

    private void SeveralErrors(FuzzCase c, int? count = null)
    {
        var mutations = new List<Action<FuzzCase>>
        {
            MakeGeneric, MakeNestedInGeneric, BreakSizes, BreakActivation, MisplaceDense, RemoveRecurrentLayers,
            MakeNotPartial, MakeContainerNotPartial, MakeStatic, SplitLayers,
        };
        int wanted = count ?? Pick(2, 2, 3);
        var applied = new HashSet<int>();
        while (applied.Count < wanted)
        {
            int index = _random.Next(mutations.Count);
            if (!applied.Add(index))
            {
                continue;
            }

            // A non-partial model or container cannot have its layers on a second partial declaration.
            bool splits = applied.Contains(9);
            bool notPartial = applied.Contains(6) || applied.Contains(7);
            if (splits && notPartial)
            {
                applied.Remove(index);
                continue;
            }

            if (index == 9 && Layers(c).Count == 0)
            {
                c.Attributes[0].Items.Add(NewLayer(c, LayerType.Lstm, ValidSize(c, input: false)));
            }

            if (index == 4 && Layers(c).All(layer => !layer.IsRecurrent))
            {
                c.Attributes[0].Items.Add(NewLayer(c, LayerType.Gru, ValidSize(c, input: false)));
            }

            mutations[index](c);
        }
    }

    private void MalformLayer(FuzzCase c)
    {
        var layers = Layers(c);
        LayerAttribute target = layers.Count > 0 && Chance(0.7) ? Pick(layers.ToArray()) : NewLayer(c, Pick(LayerType.Lstm, LayerType.Gru, LayerType.Rnn, LayerType.Dense), ValidSize(c, input: false));
        if (!layers.Contains(target))
        {
            c.Attributes[^1].Items.Add(target);
        }

        string parameter = target.Type == LayerType.Dense ? "outputSize" : "hiddenSize";
        LayerAttribute broken;
        int roll = _random.Next(9);
        switch (roll)
        {
            case 0:
                // No size: [Lstm], [Lstm()], [Gru(ResetAfter = true)].
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = null, Positional = string.Empty, OmitParentheses = target.Named.Count == 0 && Chance(0.5), Named = target.Named, ShapeError = "CS7036" };
                break;
            case 1:
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = target.Size, Positional = $"{target.Size!.Text}, 5", Named = target.Named, ShapeError = "CS1729" };
                break;
            case 2:
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = target.Size, Positional = $"hidden: {target.Size!.Text}", Named = target.Named, ShapeError = "CS1739" };
                break;
            case 3:
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = target.Size, Positional = $"{parameter}: {target.Size!.Text}, {parameter}: 5", Named = target.Named, ShapeError = "CS1740" };
                break;
            case 4 or 5:
                Arg size = Pick(new Arg("\"x\"", null, "CS1503"), new Arg("4.5", null, "CS1503"), new Arg("null", null, "CS1503"), new Arg("4096L", null, "CS1503"),
                    new Arg("true", null, "CS1503"), new Arg("int.MaxValue + 1", null, "CS0220"), new Arg("4f", null, "CS1503"), new Arg("'a' + 0.5", null, "CS1503"));
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = size, Positional = size.Text, Named = target.Named };
                break;
            default:
                List<NamedArg> named = MalformedNamedArguments(target.Type);
                Arg malformedSize = named.Count > 0 ? target.Size! : new Arg("\"x\"", null, "CS1503");
                broken = new LayerAttribute { Type = target.Type, Name = target.Name, Size = malformedSize, Positional = malformedSize.Text, Named = named };
                break;
        }

        Replace(c, target, broken);
    }

    /// <summary>A named argument of the wrong type, or unknown; those the generator once emitted for are marked.</summary>
    private List<NamedArg> MalformedNamedArguments(LayerType type)
    {
        var candidates = new List<NamedArg>();
        switch (type)
        {
            case LayerType.Rnn:
                candidates.Add(new NamedArg("Activation", new Arg("\"Relu\"", null, "CS0029")));
                candidates.Add(new NamedArg("Activation", new Arg("null", null, "CS0037")));
                candidates.Add(new NamedArg("Activation", new Arg("true", null, "CS0029")));
                candidates.Add(new NamedArg("Activation", new Arg("DenseActivation.Sigmoid", 2, "CS0266")));
                candidates.Add(new NamedArg("Activation", new Arg("DenseActivation.Relu", 3, "CS0266")));
                candidates.Add(new NamedArg("Activation", new Arg("1", 1, "CS0266", FormerBug.MalformedNamedArgumentEmits)));
                candidates.Add(new NamedArg("Activation", new Arg("1.5", 1, "CS0266", FormerBug.MalformedNamedArgumentEmits)));
                candidates.Add(new NamedArg("Activation", new Arg("DenseActivation.Tanh", 1, "CS0266", FormerBug.MalformedNamedArgumentEmits)));
                candidates.Add(new NamedArg("ResetAfter", new Arg("true", 1), "CS0246", FormerBug.MalformedNamedArgumentEmits));
                break;
            case LayerType.Dense:
                candidates.Add(new NamedArg("Activation", new Arg("\"Relu\"", null, "CS0029")));
                candidates.Add(new NamedArg("Activation", new Arg("null", null, "CS0037")));
                candidates.Add(new NamedArg("Activation", new Arg("(RnnActivation)5", 5, "CS0266")));
                candidates.Add(new NamedArg("Activation", new Arg("RnnActivation.Relu", 1, "CS0266", FormerBug.MalformedNamedArgumentEmits)));
                candidates.Add(new NamedArg("Activation", new Arg("2", 2, "CS0266", FormerBug.MalformedNamedArgumentEmits)));
                break;
            case LayerType.Gru:
                candidates.Add(new NamedArg("ResetAfter", new Arg("3", null, "CS0029")));
                candidates.Add(new NamedArg("ResetAfter", new Arg("\"no\"", null, "CS0029")));
                candidates.Add(new NamedArg("ResetAfter", new Arg("null", null, "CS0037")));
                candidates.Add(new NamedArg("ResetAfter", new Arg("0", null, "CS0029")));
                candidates.Add(new NamedArg("Activation", new Arg("RnnActivation.Relu", 1), "CS0246", FormerBug.MalformedNamedArgumentEmits));
                break;
            default:
                // Lstm has no named argument: any is unknown (CS0246).
                candidates.Add(new NamedArg("ResetAfter", new Arg("true", 1), "CS0246", FormerBug.MalformedNamedArgumentEmits));
                candidates.Add(new NamedArg("Activation", new Arg("RnnActivation.Tanh", 0), "CS0246", FormerBug.MalformedNamedArgumentEmits));
                candidates.Add(new NamedArg("ResetAfter", new Arg("\"no\"", null, "CS0029"), "CS0246", FormerBug.MalformedNamedArgumentEmits));
                break;
        }

        if (type != LayerType.Lstm && Chance(0.15))
        {
            // The same property twice, both well typed: the compiler rejects the attribute (CS0643) all the same.
            return type switch
            {
                LayerType.Gru => new List<NamedArg> { new("ResetAfter", new Arg("false", 0)), new("ResetAfter", new Arg("true", 1), "CS0643", FormerBug.MalformedNamedArgumentEmits) },
                LayerType.Rnn => new List<NamedArg> { new("Activation", new Arg("RnnActivation.Tanh", 0)), new("Activation", new Arg("RnnActivation.Relu", 1), "CS0643", FormerBug.MalformedNamedArgumentEmits) },
                _ => new List<NamedArg> { new("Activation", new Arg("DenseActivation.Tanh", 1)), new("Activation", new Arg("DenseActivation.Tanh", 1), "CS0643", FormerBug.MalformedNamedArgumentEmits) },
            };
        }

        return new List<NamedArg> { Pick(candidates.ToArray()) };
    }

    private void MalformModelAttribute(FuzzCase c)
    {
        ModelAttribute model = c.Attributes.SelectMany(list => list.Items).OfType<ModelAttribute>().First();
        string name = model.Name;
        ModelAttribute broken = _random.Next(8) switch
        {
            0 => new ModelAttribute { Name = name, Arguments = Pick(string.Empty, "()"), ShapeError = "CS7036" },
            1 => new ModelAttribute { Name = name, Input = new Arg("\"8\"", null, "CS1503"), Arguments = "(\"8\")" },
            2 => new ModelAttribute { Name = name, Input = new Arg("8", 8), Arguments = "(8, 9)", ShapeError = "CS1729" },
            3 => new ModelAttribute { Name = name, Input = new Arg("8", 8), Arguments = "(size: 8)", ShapeError = "CS1739" },
            4 => new ModelAttribute { Name = name, Input = new Arg("8L", null, "CS1503"), Arguments = "(8L)" },
            5 => new ModelAttribute { Name = name, Input = new Arg("null", null, "CS1503"), Arguments = "(null)" },
            6 => new ModelAttribute { Name = name, Input = new Arg("int.MaxValue + 1", null, "CS0220"), Arguments = "(int.MaxValue + 1)" },
            _ => new ModelAttribute { Name = name, Input = new Arg("2", 2), Arguments = "(inputSize: 2, inputSize: 3)", ShapeError = "CS1740" },
        };
        Replace(c, model, broken);
    }

    private void WrongTarget(FuzzCase c)
    {
        c.Shape = Pick(Shape.Struct, Shape.Struct, Shape.Interface, Shape.Enum, Shape.Delegate, Shape.FieldHost, Shape.MethodHost);
        c.Containers.Clear();
        c.OtherParts.Clear();
        c.Abstract = false;
        c.Sealed = false;
        c.Access = "public";
        c.Body = ";";
        c.Name = $"W{c.Id}";
        if (c.Shape == Shape.Struct && Chance(0.3))
        {
            c.Partial = false;
        }
    }

    private void DuplicateModelAttribute(FuzzCase c)
    {
        ModelAttribute second = NewModelAttribute(c, ValidSize(c, input: true));
        int roll = _random.Next(3);
        if (roll == 0)
        {
            c.Attributes[0].Items.Add(second);
        }
        else if (roll == 1)
        {
            c.Attributes.Add(new AttributeList(new List<AttributeItem> { second }, false));
        }
        else
        {
            var part = new OtherPart { OtherTree = Chance(0.5) };
            part.Attributes.Add(new AttributeList(new List<AttributeItem> { second }, false));
            if (Chance(0.4))
            {
                part.Attributes[0].Items.Add(NewLayer(c, LayerType.Lstm, ValidSize(c, input: false)));
            }

            c.Partial = true;
            for (int index = 0; index < c.Containers.Count; index++)
            {
                c.Containers[index] = c.Containers[index] with { Partial = true };
            }

            c.OtherParts.Add(part);
        }
    }

    private void OtherCompilerError(FuzzCase c)
    {
        switch (_random.Next(4))
        {
            case 0:
                // A misspelled layer: not a FixedRnn attribute at all.
                c.Attributes[^1].Items.Add(Pick(
                    new ForeignAttribute("Lstmm(4)", "CS0246"),
                    new ForeignAttribute("LSTM(4)", "CS0246"),
                    new ForeignAttribute("Dense2(1)", "CS0246"),
                    new ForeignAttribute("global::FixedRnn.Lstmm(4)", "CS0234")));
                break;
            case 1:
                // Another declaration of the type without 'partial'.
                c.Partial = true;
                c.Static = false;
                c.OtherParts.Clear();
                c.OtherParts.Add(new OtherPart { Partial = false });
                break;
            case 2:
                // Partial declarations of different kinds.
                c.Partial = true;
                c.Static = false;
                c.OtherParts.Clear();
                c.OtherParts.Add(new OtherPart { Keyword = c.Shape == Shape.Class ? Pick("struct", "record", "interface") : "class" });
                break;
            default:
                // A user member that clashes with a generated one.
                c.Static = false;
                c.Body = Pick("{ public const int InputSize = 3; }", "{ public struct State { } }", "{ public void Step(int x) { } public void Step(global::System.ReadOnlySpan<float> input, ref State state, global::System.Span<float> output) { } }");
                break;
        }
    }

    private void BreakSyntax(FuzzCase c)
    {
        c.Placement = c.Placement == Placement.GlobalNamespace ? Placement.GlobalNamespace : Placement.FileScopedNamespace;
        c.NestedNamespaceSyntax = false;
        c.OtherParts.RemoveAll(part => part.OtherTree);
        string declaration = $"{c.Keyword} {c.Name}";
        LayerAttribute? layer = Layers(c).FirstOrDefault();
        var breaks = new List<(string, string)>
        {
            (declaration, declaration + " : "),
            (declaration, declaration + " ]"),
            (declaration, declaration + "<"),
            ("]", " "),
        };
        if (c.Shape != Shape.PositionalRecord)
        {
            breaks.Add((c.Name + (c.Body == ";" ? ";" : " {"), c.Name + (c.Body == ";" ? " {" : " {{")));
        }

        if (layer is not null && layer.Text.EndsWith(')'))
        {
            breaks.Add((layer.Text, layer.Text.Substring(0, layer.Text.Length - 1)));
            breaks.Add((layer.Text, layer.Text.Substring(0, layer.Text.Length - 1) + ",)"));
            breaks.Add((layer.Text, layer.Text.Substring(0, layer.Text.Length - 1) + ", Activation = )"));
            breaks.Add((layer.Text, layer.Text.Substring(0, layer.Text.Length - 1) + ", Activation = RnnActivation.)"));
        }

        c.SyntaxBreak = Pick(breaks.ToArray());
    }

    private void RemoveModelAttribute(FuzzCase c)
    {
        foreach (AttributeList list in c.Attributes)
        {
            list.Items.RemoveAll(item => item is ModelAttribute);
        }

        c.Attributes.RemoveAll(list => list.Items.Count == 0);
        int roll = _random.Next(10);
        if (roll == 0)
        {
            // No FixedRnn attribute left at all: not a model, nothing to say.
            foreach (AttributeList list in c.Attributes)
            {
                list.Items.RemoveAll(item => item is LayerAttribute);
            }

            c.Attributes.RemoveAll(list => list.Items.Count == 0);
            return;
        }

        if (c.Attributes.Count == 0 || roll <= 3)
        {
            // Even a broken layer draws only FRNN013 without [RecurrentModel].
            c.Attributes.Add(new AttributeList(new List<AttributeItem> { NewLayer(c, Pick(LayerType.Rnn, LayerType.Dense, LayerType.Gru), BadSize(c)) }, false));
        }

        if (roll <= 5 && c.Partial && c.Containers.All(container => container.Partial))
        {
            // Layers on two partial declarations, none with [RecurrentModel]: each of them is named.
            var part = new OtherPart { OtherTree = Chance(0.5), Body = Pick("{ }", $"{{ public int Orphan{c.Id} => 1; }}") };
            part.Attributes.Add(new AttributeList(new List<AttributeItem> { NewLayer(c, Pick(LayerType.Lstm, LayerType.Dense), ValidSize(c, input: false)) }, Chance(0.2)));
            c.OtherParts.Add(part);
        }
        else if (Chance(0.3))
        {
            MakeNotPartial(c);
        }
    }

    private void NameLikeGeneratedMember(FuzzCase c)
    {
        string name = Pick(GeneratedMemberNames);
        if (c.Placement == Placement.GlobalNamespace && c.Containers.Count == 0)
        {
            // Two cases of a batch must not declare the same global type: give this one a namespace of its own.
            c.Placement = Placement.FileScopedNamespace;
            c.Namespace = $"Fuzz.F{c.Id}";
        }

        c.Name = name;
        for (int index = 0; index < c.Containers.Count; index++)
        {
            if (c.Containers[index].Name == name)
            {
                c.Containers[index] = c.Containers[index] with { Name = $"Outer{c.Id}_{index}" };
            }
        }
    }

    private static void MakeFileLocal(FuzzCase c)
    {
        // 'file' is for top-level types only (CS9054), and a file type's partial declarations share its file.
        c.Containers.Clear();
        c.OtherParts.RemoveAll(part => part.OtherTree);
        c.Access = "file";
        if (c.Placement == Placement.GlobalNamespace)
        {
            c.Placement = Placement.FileScopedNamespace;
            c.Namespace = $"Fuzz.F{c.Id}";
        }
    }

    /// <summary>
    /// Layers of thousands of units until the packed parameters pass what one array can hold (FRNN011). The model just
    /// under the limit is <c>FuzzFindings</c>' to compile, once: the sixteen-odd layers cost seconds each time.
    /// </summary>
    private void MakeTooLarge(FuzzCase c)
    {
        c.Bug = FormerBug.ParameterCountOverflow;
        ModelAttribute model = c.Attributes.SelectMany(list => list.Items).OfType<ModelAttribute>().First();
        Replace(c, model, NewModelAttribute(c, SizeText(c, Pick(1, 64, 4096))));
        foreach (AttributeList list in c.Attributes)
        {
            list.Items.RemoveAll(item => item is LayerAttribute);
        }

        c.Attributes.RemoveAll(list => list.Items.Count == 0);
        if (c.Attributes.Count == 0)
        {
            c.Attributes.Add(new AttributeList(new List<AttributeItem>(), false));
        }

        while (c.MainParameterCount() <= FuzzCase.MaximumParameterCount)
        {
            c.Attributes[^1].Items.Add(NewLayer(c, Pick(LayerType.Lstm, LayerType.Gru), SizeText(c, Pick(4096, 4096, 4000, 3072))));
        }

        if (Chance(0.3))
        {
            // A head after the layers that overflow: still too large.
            c.Attributes[^1].Items.Add(NewLayer(c, LayerType.Dense, ValidSize(c, input: false)));
        }
    }

    private void AddFormerBug(FuzzCase c)
    {
        if (!c.IsModelShape || c.SyntaxBreak is not null)
        {
            return;
        }

        switch (_random.Next(8))
        {
            case 0 when c.Placement == Placement.GlobalNamespace && c.Containers.Count == 0 && CaseVariantOfAGlobalName(c) is string variant:
                c.Name = variant;
                c.Bug = FormerBug.CaseInsensitiveHintName;
                break;
            case 1:
                string keyword = "@" + Pick("class", "event", "struct", "object", "record", "int", "extension", "var");
                if (Chance(0.5) || c.Containers.Count == 0)
                {
                    c.Name = keyword;
                }
                else
                {
                    c.Containers[0] = c.Containers[0] with { Name = keyword };
                }

                c.Placement = Placement.FileScopedNamespace;
                c.Namespace = Chance(0.5) ? $"Fuzz.F{c.Id}" : $"Fuzz.F{c.Id}.@{Pick("event", "namespace", "fixed")}";
                c.Bug = FormerBug.KeywordIdentifier;
                break;
            case 2 when c.Placement != Placement.GlobalNamespace:
                c.Name = Pick(GeneratedMemberNames);
                c.Containers.RemoveAll(container => container.Name == c.Name);
                c.Bug = FormerBug.MemberNamedLikeModel;
                break;
            case 3 when c.Placement != Placement.GlobalNamespace:
                c.Name = Pick(KernelNames);
                c.Containers.RemoveAll(container => container.Name == c.Name);
                c.Bug = FormerBug.KernelNamedLikeModel;
                break;
            case 4 when c.Placement != Placement.GlobalNamespace && c.Containers.Count > 0:
                string member = Pick(GeneratedMemberNames);
                int level = _random.Next(c.Containers.Count);
                if (member != c.Name && c.Containers.All(container => container.Name != member))
                {
                    c.Containers[level] = c.Containers[level] with { Name = member };
                    c.Bug = FormerBug.ContainerNamedLikeMember;
                }

                break;
            case 5 when c.Containers.Count == 0:
                MakeFileLocal(c);
                c.OtherParts.Clear();
                c.Bug = FormerBug.FileLocalModel;
                break;
            case 6:
                c.Shape = Shape.RecordStruct;
                c.Static = c.Abstract = c.Sealed = false;
                c.OtherParts.Clear();
                c.Bug = FormerBug.RecordStructModel;
                break;
            case 7 when c.Placement != Placement.GlobalNamespace:
                c.Neighbours.Add(Pick(FrameworkTypeDecoys));
                c.Bug = FormerBug.UserTypeNamedLikeFrameworkType;
                break;
        }

    }

    /// <summary>
    /// The lower-case spelling of a global model's name declared earlier in the same compilation, one that no other
    /// global type spells that way yet; <see langword="null"/> if there is none.
    /// </summary>
    private string? CaseVariantOfAGlobalName(FuzzCase c)
    {
        var sameCompilation = _globalNames.Where(entry => entry.Id / casesPerCompilation == c.Id / casesPerCompilation).Select(entry => entry.Name).ToList();
        string? original = sameCompilation.LastOrDefault(name =>
            name.ToLowerInvariant() != name && !sameCompilation.Contains(name.ToLowerInvariant(), StringComparer.Ordinal));
        return original?.ToLowerInvariant();
    }

    /// <summary>Shuffles how the main declaration's attributes are grouped and separated, keeping their order.</summary>
    private void Regroup(FuzzCase c)
    {
        var items = c.Attributes.SelectMany(list => list.Items).ToList();
        if (_random.Next(3) == 0 && c.Attributes.Count > 0)
        {
            // [RecurrentModel] somewhere among the layers: only the layers' order matters.
            ModelAttribute? model = items.OfType<ModelAttribute>().FirstOrDefault();
            if (model is not null)
            {
                items.Remove(model);
                items.Insert(_random.Next(items.Count + 1), model);
            }
        }

        c.Attributes.Clear();
        c.Separators.Clear();
        int position = 0;
        while (position < items.Count)
        {
            int take = Math.Min(items.Count - position, Pick(1, 1, 1, 2, 3));
            // 'type:' is the default target of a type's attributes, and no valid target on a member.
            c.Attributes.Add(new AttributeList(items.GetRange(position, take), c.Shape is not (Shape.FieldHost or Shape.MethodHost) && Chance(0.1)));
            position += take;
            c.Separators.Add(c.SyntaxBreak is not null
                ? Pick("\n", " ")
                : Pick("\n", "\n", " ", "\n// a comment\n", " /* between */ ", "\n#if false\n[Dense(0)]\n[Gru(-1)]\n#endif\n", "\n#if !FUZZ_UNDEFINED\n#endif\n"));
        }
    }

    // ---- Editing helpers ----

    private static void Replace(FuzzCase c, AttributeItem old, AttributeItem replacement)
    {
        foreach (List<AttributeItem> items in c.Attributes.Select(list => list.Items).Concat(c.OtherParts.SelectMany(part => part.Attributes.Select(list => list.Items))))
        {
            int index = items.IndexOf(old);
            if (index >= 0)
            {
                items[index] = replacement;
                return;
            }
        }

        throw new InvalidOperationException("Attribute not found.");
    }

    private static void Remove(FuzzCase c, AttributeItem item)
    {
        foreach (AttributeList list in c.Attributes)
        {
            list.Items.Remove(item);
        }

        c.Attributes.RemoveAll(list => list.Items.Count == 0);
    }

    private static void InsertBefore(FuzzCase c, AttributeItem anchor, AttributeItem item)
    {
        foreach (AttributeList list in c.Attributes)
        {
            int index = list.Items.IndexOf(anchor);
            if (index >= 0)
            {
                list.Items.Insert(index, item);
                return;
            }
        }

        throw new InvalidOperationException("Anchor not found.");
    }

    private bool Chance(double probability) => _random.NextDouble() < probability;

    private T Pick<T>(params T[] options) => options[_random.Next(options.Length)];
}
