using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>One named figure of a HEALTH_REPORT, e.g. <c>silo.sessions</c>.</summary>
public readonly record struct HealthFigure(Utf8Text Key, long Value);

/// <summary>HEALTH_REPORT (s→c): the server's state and figures.</summary>
public readonly record struct HealthReportFrame(HealthState State, IReadOnlyList<HealthFigure> Figures) : IFrame<HealthReportFrame>
{
    public static FrameType Type => FrameType.HealthReport;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength
    {
        get
        {
            int length = 1 + 2;
            foreach (HealthFigure figure in Figures ?? [])
            {
                length += BodyWriter.SizeOfStr8(figure.Key) + 8;
            }

            return length;
        }
    }

    public static HealthReportFrame Read(ref BodyReader reader, ushort flags)
    {
        byte state = reader.ReadU8("state");
        if (state > (byte)HealthState.Unhealthy)
        {
            throw reader.OutOfRange("state", $"must be 0, 1 or 2, got {state}");
        }

        int count = reader.ReadCount("count", minEntrySize: 1 + 8);
        var figures = new HealthFigure[count];
        for (int i = 0; i < count; i++)
        {
            figures[i] = new HealthFigure(reader.ReadStr8("key"), reader.ReadI64("value"));
        }

        return new HealthReportFrame((HealthState)state, figures);
    }

    public void WriteFields(ref BodyWriter writer)
    {
        IReadOnlyList<HealthFigure> figures = Figures ?? [];
        if (figures.Count > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, "a HEALTH_REPORT holds at most 65,535 figures");
        }

        writer.WriteU8((byte)State);
        writer.WriteU16((ushort)figures.Count);
        foreach (HealthFigure figure in figures)
        {
            writer.WriteStr8(figure.Key, "key");
            writer.WriteI64(figure.Value);
        }
    }
}
