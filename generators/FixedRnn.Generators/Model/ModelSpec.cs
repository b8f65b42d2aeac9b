using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Model;

/// <summary>
/// A <c>[RecurrentModel]</c> declaration as the parser read it, in plain equatable values: no symbols, syntax or
/// compilation, so an edit elsewhere leaves it equal and the steps after it cached.
/// </summary>
/// <param name="Namespace">The containing namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="Keyword">The model's declaration keyword (<c>class</c> or <c>record</c>).</param>
/// <param name="Name">The model type's name.</param>
/// <param name="InputSize">Features per time step.</param>
/// <param name="Layers">The layer attributes in source order.</param>
/// <param name="Location">The model's identifier, for diagnostics about the model as a whole.</param>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    string Name,
    int InputSize,
    EquatableArray<LayerSpec> Layers,
    LocationInfo? Location)
{
    /// <summary>The model's full name as written, without <c>@</c> escapes: <c>Sample.Outer.Predictor</c>.</summary>
    public string FullName => string.Join(".", new[] { Namespace }.Concat(ContainingTypes.Select(type => type.Name)).Append(Name).Where(part => part is not null));
}
