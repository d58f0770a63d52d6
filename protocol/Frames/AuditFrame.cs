using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>AUDIT (c→s): asks for one page of a link's audit trail (docs/protocol.md, section 5.20).</summary>
/// <param name="Link">The link; empty = the session's own.</param>
/// <param name="Cursor">0 for the first page, else the <c>next</c> of the previous AUDIT_REPORT.</param>
/// <param name="Limit">At most this many entries; 0 = the server's choice.</param>
public readonly record struct AuditFrame(Utf8Text Link, ulong Cursor, ushort Limit) : IFrame<AuditFrame>
{
    public static FrameType Type => FrameType.Audit;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => BodyWriter.SizeOfStr8(Link) + 8 + 2;

    public static AuditFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadOptionalLink("link"), reader.ReadU64("cursor"), reader.ReadU16("limit"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteOptionalLink(Link, "link");
        writer.WriteU64(Cursor);
        writer.WriteU16(Limit);
    }
}
