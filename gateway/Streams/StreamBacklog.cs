namespace TamTam.Gateway.Streams;

/// <summary>
/// How far this silo's stream subscribers are behind: packets their sessions hold received and not yet written to
/// their sockets. A subscriber that reaches <c>SessionStreamInbox.MaxBufferedPackets</c> loses packets
/// (<c>tamtam.streams.packets.dropped</c>, reason <c>slow_consumer</c>).
/// </summary>
/// <param name="Subscribers">Sessions subscribed to at least one stream on this silo.</param>
/// <param name="Packets">Packets waiting, all subscribers together.</param>
/// <param name="Largest">The largest backlog of one subscriber.</param>
public readonly record struct StreamBacklog(int Subscribers, long Packets, long Largest);
