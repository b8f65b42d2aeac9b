using FixedRnn.Generators.Helpers;

namespace FixedRnn.Generators.Model;

/// <summary>The parser's verdict on one declaration: what it read, the diagnostics found so far, and whether a model can be emitted.</summary>
/// <param name="Spec">The declaration as read; <see langword="null"/> when it could not be read at all (the compiler reports why).</param>
/// <param name="Diagnostics">The parser's diagnostics.</param>
/// <param name="CanEmit">Whether the declaration itself, the input size and every layer attribute are valid.</param>
internal sealed record ParseResult(ModelSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, bool CanEmit);
