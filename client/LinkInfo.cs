namespace TamTam.Client;

/// <summary>A link of the interchange as LINKS reports it (docs/protocol.md section 5.17).</summary>
/// <param name="Name">The link's name.</param>
/// <param name="Nodes">How many nodes are members of it (connected or not).</param>
/// <param name="Sequence">The last sequence it assigned; 0 before its first message.</param>
public sealed record LinkInfo(string Name, uint Nodes, ulong Sequence);

/// <summary>The answer to <see cref="TamTamClient.ListLinksAsync"/>.</summary>
/// <param name="Links">The links, sorted by name, that the session's access token may see.</param>
/// <param name="Truncated">True when more links exist than fit one frame.</param>
public sealed record LinkList(IReadOnlyList<LinkInfo> Links, bool Truncated);
