namespace TamTam.Interfaces.Links;

/// <summary>A session asking to act as node <see cref="Node"/> of a link, and where to reach it.</summary>
/// <param name="Node">The node's name in the link.</param>
/// <param name="SessionId">
/// This connection's attachment: every later call of the connection (BIND, ACK, DETACH, …) names it. A resumed
/// session attaches again from a new connection under a new attachment id.
/// </param>
/// <param name="Observer">Where the link pushes deliveries and statuses.</param>
/// <param name="Session">
/// The protocol session (WELCOME's <c>session_id</c>) the attachment belongs to; it outlives connections.
/// <see cref="Guid.Empty"/>: the same as <paramref name="SessionId"/>.
/// </param>
/// <param name="SessionTimeout">
/// How long the node's name stays reserved for <paramref name="Session"/> after its connection ends
/// (docs/protocol.md section 6.3). Zero: not reserved, the name is free as soon as the connection ends.
/// </param>
/// <param name="Resume">
/// True when the gateway verified the session's resume token: the join restores <paramref name="Session"/>'s
/// node, and is refused with 204 when that session's reservation has run out or another session holds the name.
/// </param>
[GenerateSerializer, Immutable, Alias("tamtam.NodeAttachment")]
public sealed record NodeAttachment(
    [property: Id(0)] string Node,
    [property: Id(1)] Guid SessionId,
    [property: Id(2)] ILinkObserver Observer,
    [property: Id(3)] Guid Session = default,
    [property: Id(4)] TimeSpan SessionTimeout = default,
    [property: Id(5)] bool Resume = false)
{
    /// <summary><see cref="Session"/>, or <see cref="SessionId"/> when no protocol session was named.</summary>
    public Guid EffectiveSession => Session == Guid.Empty ? SessionId : Session;
}
