namespace TamTam.Grains.Sessions;

/// <summary>
/// The persisted directory entry of one resumable session (grain storage, state name <c>session</c>): it outlives the
/// silo its grain was on, so that a client whose silo drained or died resumes its session on another one.
/// </summary>
[GenerateSerializer, Alias("tamtam.SessionEntryState")]
public sealed class SessionEntryState
{
    /// <summary>The link joined; null once the session is forgotten.</summary>
    [Id(0)]
    public string? Link { get; set; }

    [Id(1)]
    public string? Node { get; set; }

    /// <summary>SHA-256 of the resume token's secret.</summary>
    [Id(2)]
    public byte[] SecretHash { get; set; } = [];

    [Id(3)]
    public TimeSpan SessionTimeout { get; set; }
}
