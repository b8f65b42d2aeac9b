using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace FixedRnn.Generators.Helpers;

/// <summary>A diagnostic as plain, equatable values, reported by the pipeline's diagnostics output.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object[] messageArguments)
        => new(descriptor, location, messageArguments.Select(argument => Convert.ToString(argument, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty).ToEquatableArray());

    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArguments.Select(argument => (object)argument).ToArray());
}
