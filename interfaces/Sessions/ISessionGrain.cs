namespace TamTam.Interfaces.Sessions;

/// <summary>
/// The cluster's record of one resumable protocol session, keyed by its <c>session_id</c>: which link and node it
/// joined, and the SHA-256 of the secret in its resume token. Any gateway of the cluster finds it by the session
/// id a resume token carries, so a client may resume on another silo than the one it left (docs/architecture.md,
/// "Sessions and resume").
/// </summary>
/// <remarks>
/// The entry is kept in grain storage (written once at JOIN), so it survives the silo it was on: after a drain or a
/// crash the session resumes through any other silo. It is forgotten, and its stored state cleared, once the session
/// is over (LEAVE, or the link says the session no longer holds its node).
/// </remarks>
[Alias("tamtam.ISessionGrain")]
public interface ISessionGrain : IGrainWithGuidKey
{
    /// <summary>The session joined <paramref name="link"/> as <paramref name="node"/>; idempotent.</summary>
    /// <param name="link">The link joined.</param>
    /// <param name="node">The node's name.</param>
    /// <param name="secretHash">SHA-256 of the resume token's secret.</param>
    /// <param name="sessionTimeout">How long the link keeps the node for the session after a disconnect.</param>
    [Alias("remember")]
    Task RememberAsync(string link, string node, byte[] secretHash, TimeSpan sessionTimeout);

    /// <summary>The session's link and node when <paramref name="secretHash"/> matches, else <see langword="null"/>.</summary>
    [Alias("resolve")]
    Task<SessionEntry?> ResolveAsync(byte[] secretHash);

    /// <summary>The session is over (LEAVE): forget it.</summary>
    [Alias("forget")]
    Task ForgetAsync();
}

/// <summary>Where a resumable session is: its link and node name.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.SessionEntry")]
public sealed record SessionEntry(
    [property: Id(0)] string Link,
    [property: Id(1)] string Node);
