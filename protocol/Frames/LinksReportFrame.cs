using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One link in a LINKS_REPORT.</summary>
public readonly record struct LinkEntry(Utf8Text Link, uint Nodes, ulong Sequence);

/// <summary>LINKS_REPORT (s→c): the links the interchange knows.</summary>
public readonly record struct LinksReportFrame(IReadOnlyList<LinkEntry> Links, bool Truncated) : IFrame<LinksReportFrame>
{
    public const ushort TruncatedFlag = 0x0001;

    public static FrameType Type => FrameType.LinksReport;

    public static ushort DefinedFlags => TruncatedFlag;

    public static bool HasPayload => false;

    public ushort Flags => Truncated ? TruncatedFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = 2;
            foreach (LinkEntry entry in Links ?? [])
            {
                length += BodyWriter.SizeOfStr8(entry.Link) + 4 + 8;
            }

            return length;
        }
    }

    public static LinksReportFrame Read(ref BodyReader reader, ushort flags)
    {
        int count = reader.ReadCount("count", minEntrySize: 2 + 4 + 8);
        var links = new LinkEntry[count];
        for (int i = 0; i < count; i++)
        {
            links[i] = new LinkEntry(reader.ReadName("link"), reader.ReadU32("nodes"), reader.ReadU64("sequence"));
        }

        return new LinksReportFrame(links, (flags & TruncatedFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<LinkEntry> links = Links ?? [];
        if (links.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a LINKS_REPORT holds at most 65,535 links");
        }

        writer.WriteU16((ushort)links.Count);
        foreach (LinkEntry entry in links)
        {
            writer.WriteName(entry.Link, "link");
            writer.WriteU32(entry.Nodes);
            writer.WriteU64(entry.Sequence);
        }
    }
}
