using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Station.Internal;

/// <summary>What an interchange sends a station, copied out of the receive buffer so that it outlives the frame.</summary>
internal abstract record UpstreamEvent;

/// <summary>STATION_OFFER: a ring-forwarded message's descriptor, to claim or pass.</summary>
internal sealed record UpstreamOffer(Guid MessageId, string SourceLink, string DestinationLink, string Port, byte Ttl, ulong Size) : UpstreamEvent;

/// <summary>DELIVER on the station session: a message for one of the station's links (or, bridging, beyond it).</summary>
internal sealed record UpstreamDelivery(
    Guid MessageId,
    ulong Sequence,
    string SourceLink,
    string SourceNode,
    string DestinationLink,
    string Port,
    long DeadlineUs,
    bool Parted,
    byte[] Payload,
    ReplyRoute? Reply,
    string? TraceParent,
    TransferDescriptor? Transfer = null) : UpstreamEvent;

/// <summary>PART on the station session: a part of a parted DELIVER, its bytes copied out (at most a part size each).</summary>
internal sealed record UpstreamPart(Guid TransferId, uint Index, uint Count, uint Crc32C, byte[] Payload, uint Correlation) : UpstreamEvent;

/// <summary>STREAM on the station session: a stream packet for one of the station's links (docs/protocol.md section 5.18, "Streams").</summary>
internal sealed record UpstreamStream(Guid PacketId, string Link, string Port, byte Ttl, bool WantAck, bool Subtree, byte[] Payload) : UpstreamEvent;

/// <summary>STATUS on the station session: the final state of a message the station sent upstream.</summary>
internal sealed record UpstreamStatus(Guid MessageId, FinalState State, uint Recipients, uint Confirmed, long AtUs, string Detail) : UpstreamEvent;

/// <summary>A reply to one request of the station (SEND, STATION_REGISTER, LINKS, HELLO): its frame type and what it says.</summary>
internal sealed record UpstreamReply(FrameType Type, ErrorCode Code = ErrorCode.None, string Detail = "")
{
    public ulong Sequence { get; init; }

    public long AcceptedAtUs { get; init; }

    public bool Duplicate { get; init; }

    public IReadOnlyDictionary<string, uint> Links { get; init; } = new Dictionary<string, uint>(StringComparer.Ordinal);

    public bool IsError => Type == FrameType.Error;
}
