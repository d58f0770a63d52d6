namespace TamTam.Client;

/// <summary>A node of a link as NODES reports it (docs/protocol.md section 5.17).</summary>
/// <param name="Name">The node's name in its link.</param>
/// <param name="Online">Its session is connected now; a member whose connection ended is listed too, its inbox waiting.</param>
/// <param name="RoundTrip">Its last measured round trip to the server; <see langword="null"/> when the server does not know it.</param>
/// <param name="Pending">Deliveries waiting in its inbox.</param>
public sealed record NodeInfo(string Name, bool Online, TimeSpan? RoundTrip, uint Pending);

/// <summary>The answer to <see cref="TamTamClient.ListNodesAsync"/>.</summary>
/// <param name="Nodes">The link's member nodes, in the server's order.</param>
/// <param name="Truncated">True when more nodes exist than fit one frame.</param>
public sealed record NodeList(IReadOnlyList<NodeInfo> Nodes, bool Truncated);
