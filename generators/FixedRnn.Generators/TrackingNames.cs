namespace FixedRnn.Generators;

/// <summary>Names of the pipeline steps, so tests can assert how each step ran.</summary>
public static class TrackingNames
{
    /// <summary>Each <c>[RecurrentModel]</c> declaration parsed into a spec and its diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The user's C# language version, which decides FRNN012 and the loaders' <c>params</c> form.</summary>
    public const string LanguageVersion = nameof(LanguageVersion);

    /// <summary>Each parsed declaration planned: its layout and tiles, or the diagnostics that prevent one.</summary>
    public const string Plan = nameof(Plan);

    /// <summary>The diagnostics of every declaration.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The plans of the valid models, ready to emit.</summary>
    public const string Models = nameof(Models);

    /// <summary>Layer attributes on types without <c>[RecurrentModel]</c> (FRNN013).</summary>
    public const string OrphanLayers = nameof(OrphanLayers);
}
