using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>STATION_REGISTER (c→s): an external orchestrator announces the links it hosts.</summary>
public readonly record struct StationRegisterFrame(Utf8Text Station, IReadOnlyList<Utf8Text> Links) : IFrame<StationRegisterFrame>
{
    public static FrameType Type => FrameType.StationRegister;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = BodyWriter.SizeOfStr8(Station) + 2;
            foreach (Utf8Text link in Links ?? [])
            {
                length += BodyWriter.SizeOfStr8(link);
            }

            return length;
        }
    }

    public static StationRegisterFrame Read(ref BodyReader reader, ushort flags)
    {
        Utf8Text station = reader.ReadName("station");
        int count = reader.ReadCount("count", minEntrySize: 2);
        var links = new Utf8Text[count];
        for (int i = 0; i < count; i++)
        {
            links[i] = reader.ReadName("link");
        }

        return new StationRegisterFrame(station, links);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<Utf8Text> links = Links ?? [];
        if (links.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a station registers at most 65,535 links");
        }

        writer.WriteName(Station, "station");
        writer.WriteU16((ushort)links.Count);
        foreach (Utf8Text link in links)
        {
            writer.WriteName(link, "link");
        }
    }
}
