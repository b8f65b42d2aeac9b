using System.Linq;
using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Model;

/// <summary>
/// Everything the emitter needs to know about one model, as plain equatable values: no symbols, syntax
/// or compilation, so an edit elsewhere leaves it equal and its output cached.
/// </summary>
/// <param name="Namespace">The containing namespace, or <see langword="null"/> for the global namespace.</param>
/// <param name="ContainingTypes">Enclosing types, outermost first.</param>
/// <param name="Keyword">The model's declaration keyword (<c>class</c> or <c>record</c>).</param>
/// <param name="Name">The model type's name.</param>
/// <param name="InputSize">Features per time step.</param>
/// <param name="Layers">The layers in the order they are applied.</param>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Keyword,
    string Name,
    int InputSize,
    EquatableArray<LayerSpec> Layers)
{
    /// <summary>
    /// The name of the generated file: the model's full name, readable, plus a hash of its exact spelling,
    /// because Roslyn compares hint names ignoring case (<c>Model</c> and <c>model</c> are two models) and
    /// rejects characters such as the <c>@</c> of an escaped keyword.
    /// </summary>
    public string HintName
    {
        get
        {
            string fullName = string.Join(".", new[] { Namespace }.Concat(ContainingTypes.Select(type => type.Name)).Append(Name).Where(part => part is not null));
            uint hash = 2166136261;
            foreach (char character in fullName)
            {
                hash = unchecked((hash ^ character) * 16777619);
            }

            return $"{fullName.Replace("@", string.Empty)}.{hash:x8}.g.cs";
        }
    }
}
