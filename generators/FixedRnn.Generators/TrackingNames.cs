namespace FixedRnn.Generators;

/// <summary>Names of the pipeline steps, so tests can assert how each step ran.</summary>
public static class TrackingNames
{
    /// <summary>Each <c>[RecurrentModel]</c> declaration parsed into a model and its diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics of every declaration.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>The valid models, ready to emit.</summary>
    public const string Models = nameof(Models);
}
