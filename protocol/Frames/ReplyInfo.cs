namespace TamTam.Protocol.Frames;

/// <summary>
/// The fields a SEND or DELIVER carries with its <c>REPLY</c> flag (docs/protocol.md section 5.10): a request names
/// where its reply goes (<see cref="Port"/> set), a reply names the request it answers (<see cref="Port"/> empty).
/// Both carry the request's <see cref="CorrelationId"/>.
/// </summary>
/// <param name="CorrelationId">Chosen by the requester; a reply carries its request's.</param>
/// <param name="Link">
/// The link the reply goes to. In a SEND empty means the sender's own link; in a DELIVER of a request it is always
/// named. Empty in a reply.
/// </param>
/// <param name="Port">The port the reply goes to; empty when this message is itself the reply.</param>
public readonly record struct ReplyInfo(Guid CorrelationId, Utf8Text Link, Utf8Text Port)
{
    /// <summary>True when this message answers a request rather than asking for a reply.</summary>
    public bool IsReply => Port.IsEmpty;

    /// <summary>The fields of a reply to the request whose correlation is <paramref name="correlation"/>.</summary>
    public static ReplyInfo To(Guid correlation) => new(correlation, Utf8Text.Empty, Utf8Text.Empty);

    internal int Size => ProtocolLimits.UuidSize + BodyWriter.SizeOfStr8(Link) + BodyWriter.SizeOfStr8(Port);

    /// <param name="reader">Positioned at <c>correlation_id</c>.</param>
    /// <param name="linkNamed">
    /// True for DELIVER, where a request's <c>reply_link</c> is always named; false for SEND, where empty means the
    /// sender's link.
    /// </param>
    internal static ReplyInfo Read(ref BodyReader reader, bool linkNamed)
    {
        Guid correlation = reader.ReadUuid("correlation_id");
        Utf8Text link = reader.ReadOptionalLink("reply_link");
        Utf8Text port = reader.ReadOptionalPort("reply_port");
        if (port.IsEmpty && !link.IsEmpty)
        {
            throw reader.OutOfRange("reply_link", "a reply (empty reply_port) carries no reply_link");
        }

        if (linkNamed && !port.IsEmpty && link.IsEmpty)
        {
            throw reader.OutOfRange("reply_link", "a DELIVER of a request names the link its reply goes to");
        }

        return new ReplyInfo(correlation, link, port);
    }

    internal void Write(ref BodyWriter writer, bool linkNamed)
    {
        if (Port.IsEmpty && !Link.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a reply (empty reply_port) carries no reply_link");
        }

        if (linkNamed && !Port.IsEmpty && Link.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a DELIVER of a request names the link its reply goes to");
        }

        writer.WriteUuid(CorrelationId);
        writer.WriteOptionalLink(Link, "reply_link");
        writer.WriteOptionalPort(Port, "reply_port");
    }
}
