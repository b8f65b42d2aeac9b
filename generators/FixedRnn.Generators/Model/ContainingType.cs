namespace FixedRnn.Generators.Model;

/// <summary>A type that encloses the model, re-declared partial around the generated code.</summary>
/// <param name="Keyword">The declaration keyword as written: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The type's name.</param>
internal sealed record ContainingType(string Keyword, string Name);
