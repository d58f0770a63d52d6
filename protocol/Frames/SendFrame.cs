using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>
/// SEND (c→s): a message for a port of the own link (<see cref="DestLink"/> empty) or of another link.
/// Answered by ACCEPTED once durable; the message later ends in exactly one STATUS. <see cref="Trace"/>: the sender's
/// trace context (flag <c>TRACED</c>), handed on in the message's DELIVERs.
/// </summary>
public readonly record struct SendFrame(
    Guid MessageId,
    Utf8Text DestLink,
    Utf8Text DestPort,
    uint TtlMs,
    bool Subtree,
    StationSource? Station,
    TransferInfo? Transfer,
    ReadOnlySequence<byte> Payload,
    TraceContext? Trace = null) : IFrame<SendFrame>
{
    public const ushort SubtreeFlag = 0x0002;
    public const ushort PartedFlag = 0x0004;
    public const ushort StationFlag = 0x0008;
    public const ushort ReplyFlag = 0x0010;
    public const ushort TracedFlag = TraceContext.Flag;

    public static FrameType Type => FrameType.Send;

    public static ushort DefinedFlags => SubtreeFlag | PartedFlag | StationFlag | ReplyFlag | TracedFlag;

    public static bool HasPayload => true;

    /// <summary>With flag <c>REPLY</c>: a request's reply address and correlation, or the request a reply answers.</summary>
    public ReplyInfo? Reply { get; init; }

    public ushort Flags => (ushort)((Subtree ? SubtreeFlag : 0) | (Transfer.HasValue ? PartedFlag : 0) | (Station.HasValue ? StationFlag : 0)
        | (Reply.HasValue ? ReplyFlag : 0) | (Trace.HasValue ? TracedFlag : 0));

    public int FieldsLength
    {
        get
        {
            int length = ProtocolLimits.UuidSize + BodyWriter.SizeOfStr8(DestLink) + BodyWriter.SizeOfStr8(DestPort) + 4;
            if (Station is { } station)
            {
                length += BodyWriter.SizeOfStr8(station.Link) + BodyWriter.SizeOfStr8(station.Node);
            }

            if (Reply is { } reply)
            {
                length += reply.Size;
            }

            length += Trace.HasValue ? TraceContext.Size : 0;
            return Transfer.HasValue ? length + TransferInfo.Size : length;
        }
    }

    public static SendFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("message_id");
        Utf8Text link = reader.ReadOptionalLink("dest_link");
        Utf8Text port = reader.ReadPort("dest_port");
        uint ttl = reader.ReadU32("ttl_ms");
        StationSource? station = (flags & StationFlag) != 0
            ? new StationSource(reader.ReadName("src_link"), reader.ReadName("src_node"))
            : null;
        TransferInfo? transfer = (flags & PartedFlag) != 0 ? TransferInfo.Read(ref reader) : null;
        ReplyInfo? reply = (flags & ReplyFlag) != 0 ? ReplyInfo.Read(ref reader, linkNamed: false) : null;
        TraceContext? trace = (flags & TracedFlag) != 0 ? TraceContext.Read(ref reader) : null;
        ReadOnlySequence<byte> payload = reader.ReadPayload();
        if (transfer.HasValue && !payload.IsEmpty)
        {
            throw reader.BadLength($"a PARTED SEND carries no inline payload, got {payload.Length} bytes");
        }

        return new SendFrame(id, link, port, ttl, (flags & SubtreeFlag) != 0, station, transfer, payload, trace) { Reply = reply };
    }

    public void WriteFields(ref BodyWriter writer)
    {
        if (Transfer.HasValue && !Payload.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.BadLength, "a PARTED SEND carries no inline payload");
        }

        writer.WriteUuid(MessageId);
        writer.WriteOptionalLink(DestLink, "dest_link");
        writer.WritePort(DestPort, "dest_port");
        writer.WriteU32(TtlMs);
        if (Station is { } station)
        {
            writer.WriteName(station.Link, "src_link");
            writer.WriteName(station.Node, "src_node");
        }

        Transfer?.Write(ref writer);
        Reply?.Write(ref writer, linkNamed: false);
        Trace?.Write(ref writer);
    }
}
