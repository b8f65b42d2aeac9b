using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FixedRnn.Generators.Helpers;

/// <summary>
/// A source location reduced to plain values: unlike <see cref="Location"/> it holds no syntax tree,
/// so a diagnostic carrying it does not keep a compilation alive or break pipeline caching.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());
}
