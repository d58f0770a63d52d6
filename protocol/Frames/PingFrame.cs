using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>PING (both): asks for a PONG; <see cref="SentAt"/> comes back as its echo.</summary>
public readonly record struct PingFrame(long SentAt) : IFrame<PingFrame>
{
    public static FrameType Type => FrameType.Ping;

    public static ushort DefinedFlags => 0;

    public static bool HasPayload => false;

    public ushort Flags => 0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 8;

    public static PingFrame Read(ref BodyReader reader, ushort flags) => new(reader.ReadTimestamp("sent_at"));

    public void WriteFields(ref BodyWriter writer) => writer.WriteI64(SentAt);
}
