using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One route of a ROUTES_REPORT: the station that hosts a link, how that was learned and when (<c>at</c>, µs).</summary>
public readonly record struct RouteEntry(Utf8Text Link, Utf8Text Station, RouteLearning Learned, long At);

/// <summary>ROUTES_REPORT (s→c): the routes the interchange knows, sorted by link.</summary>
public readonly record struct RoutesReportFrame(IReadOnlyList<RouteEntry> Routes, bool Truncated) : IFrame<RoutesReportFrame>
{
    public const ushort TruncatedFlag = 0x0001;

    // learned u8 and at ts after the two names.
    public const int EntryFixedLength = 1 + 8;

    public static FrameType Type => FrameType.RoutesReport;

    public static ushort DefinedFlags => TruncatedFlag;

    public static bool HasPayload => false;

    public ushort Flags => Truncated ? TruncatedFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = 2;
            foreach (RouteEntry entry in Routes ?? [])
            {
                length += BodyWriter.SizeOfStr8(entry.Link) + BodyWriter.SizeOfStr8(entry.Station) + EntryFixedLength;
            }

            return length;
        }
    }

    public static RoutesReportFrame Read(ref BodyReader reader, ushort flags)
    {
        int count = reader.ReadCount("count", minEntrySize: 2 + 2 + EntryFixedLength);
        var routes = new RouteEntry[count];
        for (int i = 0; i < count; i++)
        {
            Utf8Text link = reader.ReadName("link");
            Utf8Text station = reader.ReadName("station");
            byte learned = reader.ReadU8("learned");
            if (learned is < (byte)RouteLearning.Registered or > (byte)RouteLearning.Claimed)
            {
                throw reader.OutOfRange("learned", $"must be 1 or 2, got {learned}");
            }

            routes[i] = new RouteEntry(link, station, (RouteLearning)learned, reader.ReadTimestamp("at"));
        }

        return new RoutesReportFrame(routes, (flags & TruncatedFlag) != 0);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<RouteEntry> routes = Routes ?? [];
        if (routes.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a ROUTES_REPORT holds at most 65,535 routes");
        }

        writer.WriteU16((ushort)routes.Count);
        foreach (RouteEntry entry in routes)
        {
            writer.WriteName(entry.Link, "link");
            writer.WriteName(entry.Station, "station");
            writer.WriteU8((byte)entry.Learned);
            writer.WriteI64(entry.At);
        }
    }
}
