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
    /// <summary>The name used for the generated file: unique per model within a compilation.</summary>
    public string HintName
    {
        get
        {
            var builder = new System.Text.StringBuilder();
            if (Namespace is not null)
            {
                builder.Append(Namespace).Append('.');
            }

            foreach (ContainingType type in ContainingTypes)
            {
                builder.Append(type.Name).Append('.');
            }

            return builder.Append(Name).Append(".g.cs").ToString();
        }
    }
}
