using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>PONG (both): answers a PING. Round trip = now − <see cref="Echo"/> on the pinger's clock.</summary>
public readonly record struct PongFrame(long Echo, long SentAt) : IFrame<PongFrame>
{
    public static FrameType Type => FrameType.Pong;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 16;

    public static PongFrame Read(ref BodyReader reader, ushort flags) =>
        new(reader.ReadTimestamp("echo"), reader.ReadTimestamp("sent_at"));

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteI64(Echo);
        writer.WriteI64(SentAt);
    }
}
