using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>DELIVER (s→c): a message for this node; it stays in the node's inbox until ACK or NACK.</summary>
public readonly record struct DeliverFrame(
    Guid MessageId,
    ulong Sequence,
    ulong PortSequence,
    Utf8Text SrcLink,
    Utf8Text SrcNode,
    Utf8Text DestLink,
    Utf8Text DestPort,
    ushort Attempt,
    long Deadline,
    bool Redelivery,
    TransferInfo? Transfer,
    ReadOnlySequence<byte> Payload,
    TraceContext? Trace = null) : IFrame<DeliverFrame>
{
    public const ushort RedeliveryFlag = 0x0001;
    public const ushort PartedFlag = 0x0004;
    public const ushort ReplyFlag = 0x0010;
    public const ushort TracedFlag = TraceContext.Flag;

    public static FrameType Type => FrameType.Deliver;

    public static ushort DefinedFlags => RedeliveryFlag | PartedFlag | ReplyFlag | TracedFlag;

    public static bool HasPayload => true;

    /// <summary>With flag <c>REPLY</c>: where the reply to this request goes, or the request this reply answers.</summary>
    public ReplyInfo? Reply { get; init; }

    public ushort Flags => (ushort)((Redelivery ? RedeliveryFlag : 0) | (Transfer.HasValue ? PartedFlag : 0) | (Reply.HasValue ? ReplyFlag : 0)
        | (Trace.HasValue ? TracedFlag : 0));

    public int FieldsLength =>
        ProtocolLimits.UuidSize + 8 + 8 + BodyWriter.SizeOfStr8(SrcLink) + BodyWriter.SizeOfStr8(SrcNode)
        + BodyWriter.SizeOfStr8(DestLink) + BodyWriter.SizeOfStr8(DestPort) + 2 + 8
        + (Transfer.HasValue ? TransferInfo.Size : 0) + (Reply is { } reply ? reply.Size : 0) + (Trace.HasValue ? TraceContext.Size : 0);

    public static DeliverFrame Read(ref BodyReader reader, ushort flags)
    {
        Guid id = reader.ReadUuid("message_id");
        ulong sequence = reader.ReadU64("sequence");
        if (sequence == 0)
        {
            throw reader.OutOfRange("sequence", "must be at least 1");
        }

        ulong portSequence = reader.ReadU64("port_sequence");
        Utf8Text srcLink = reader.ReadName("src_link");
        Utf8Text srcNode = reader.ReadName("src_node");
        Utf8Text destLink = reader.ReadName("dest_link");
        Utf8Text destPort = reader.ReadPort("dest_port");
        ushort attempt = reader.ReadU16("attempt");
        if (attempt == 0)
        {
            throw reader.OutOfRange("attempt", "must be at least 1");
        }

        long deadline = reader.ReadTimestamp("deadline");
        TransferInfo? transfer = (flags & PartedFlag) != 0 ? TransferInfo.Read(ref reader) : null;
        ReplyInfo? reply = (flags & ReplyFlag) != 0 ? ReplyInfo.Read(ref reader, linkNamed: true) : null;
        TraceContext? trace = (flags & TracedFlag) != 0 ? TraceContext.Read(ref reader) : null;
        ReadOnlySequence<byte> payload = reader.ReadPayload();
        if (transfer.HasValue && !payload.IsEmpty)
        {
            throw reader.BadLength($"a PARTED DELIVER carries no inline payload, got {payload.Length} bytes");
        }

        return new DeliverFrame(id, sequence, portSequence, srcLink, srcNode, destLink, destPort, attempt, deadline,
            (flags & RedeliveryFlag) != 0, transfer, payload, trace)
        { Reply = reply };
    }

    public void WriteFields(ref BodyWriter writer)
    {
        if (Transfer.HasValue && !Payload.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.BadLength, "a PARTED DELIVER carries no inline payload");
        }

        writer.WriteUuid(MessageId);
        writer.WriteU64(Sequence);
        writer.WriteU64(PortSequence);
        writer.WriteName(SrcLink, "src_link");
        writer.WriteName(SrcNode, "src_node");
        writer.WriteName(DestLink, "dest_link");
        writer.WritePort(DestPort, "dest_port");
        writer.WriteU16(Attempt);
        writer.WriteI64(Deadline);
        Transfer?.Write(ref writer);
        Reply?.Write(ref writer, linkNamed: true);
        Trace?.Write(ref writer);
    }
}
