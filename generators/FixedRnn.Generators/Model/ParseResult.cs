using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Model;

/// <summary>The parser's verdict on one declaration: a model to emit (when valid) and its diagnostics.</summary>
internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);
