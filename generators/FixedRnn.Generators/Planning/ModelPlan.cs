using System.Linq;
using FixedRnn.Generators.Helpers;
using FixedRnn.Generators.Model;

namespace FixedRnn.Generators.Planning;

/// <summary>
/// Everything decided about one model before any code is written: the packed layout of <c>Parameters</c> and
/// <c>State</c>, every layer's segments and register tiles, whether <c>Forward</c> hoists the input projection,
/// and what the user's language version allows. Computed once by <see cref="ModelPlanner"/>; every emitter reads it.
/// </summary>
/// <param name="Namespace">The containing namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="Keyword">The model's declaration keyword.</param>
/// <param name="Name">The model type's name.</param>
/// <param name="InputSize">Features per time step.</param>
/// <param name="Layers">The layers in the order they are applied.</param>
/// <param name="ParameterCount">Floats in <c>Parameters</c>, padding included.</param>
/// <param name="StateFloats">Floats in <c>State</c>, padding included.</param>
/// <param name="InputProjection">How <c>Forward</c> hoists layer 0's input projection, or <see langword="null"/> when it does not.</param>
/// <param name="ParamsSpans">Whether the user's C# has <c>params ReadOnlySpan&lt;T&gt;</c> (C# 13); below it the loaders take <c>params string[]</c>.</param>
internal sealed record ModelPlan(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    string Name,
    int InputSize,
    EquatableArray<LayerPlan> Layers,
    int ParameterCount,
    int StateFloats,
    InputProjectionPlan? InputProjection,
    bool ParamsSpans)
{
    public LayerPlan First => Layers[0];

    public LayerPlan Last => Layers[Layers.Count - 1];

    /// <summary>The Dense head, if the model has one: a last layer that is not recurrent.</summary>
    public LayerPlan? Head => Last.IsRecurrent ? null : Last;

    /// <summary>The layer whose hidden state is the model's output when there is no head, and which feeds the head otherwise.</summary>
    public LayerPlan TopRecurrent => Layers.Last(layer => layer.IsRecurrent);

    public int OutputSize => Last.OutputWidth;

    /// <summary>Whether the batched Step and Forward advance several streams per kernel call: every recurrent layer's cell has a batched kernel.</summary>
    public bool TilesStreams => Streams && Layers.All(layer => !layer.IsRecurrent || layer.Cell.TilesStreams);

    /// <summary>
    /// Whether a layer is bidirectional. Such a model runs its layers one after another over the whole sequence (the
    /// reverse direction needs the last step first) and has no streaming <c>Step</c>.
    /// </summary>
    public bool IsBidirectional => Layers.Any(layer => layer.IsBidirectional);

    /// <summary>Whether the model streams: a <c>Step</c> for one stream and for many. Every model but a bidirectional one.</summary>
    public bool Streams => !IsBidirectional;

    /// <summary>The model's full name as written, without <c>@</c> escapes.</summary>
    public string FullName => string.Join(".", new[] { Namespace }.Concat(ContainingTypes.Select(type => type.Name)).Append(Name).Where(part => part is not null));

    /// <summary>
    /// The stem of the generated files' names: the model's full name, readable, plus a hash of its exact spelling,
    /// because Roslyn compares hint names ignoring case (<c>Model</c> and <c>model</c> are two models) and rejects
    /// characters such as the <c>@</c> of an escaped keyword.
    /// </summary>
    public string HintStem
    {
        get
        {
            string fullName = FullName;
            uint hash = 2166136261;
            foreach (char character in fullName)
            {
                hash = unchecked((hash ^ character) * 16777619);
            }

            return $"{fullName.Replace("@", string.Empty)}.{hash:x8}";
        }
    }
}
