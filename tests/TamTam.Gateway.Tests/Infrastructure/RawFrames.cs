using System.Buffers.Binary;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Infrastructure;

/// <summary>Hand-built frame bytes, for what a conforming encoder refuses to produce.</summary>
internal static class RawFrames
{
    public static byte[] Frame(byte type, uint correlation = 0, byte[]? body = null, ushort flags = 0, byte version = ProtocolLimits.Version,
        ushort reserved = 0, byte magic0 = ProtocolLimits.Magic0, byte magic1 = ProtocolLimits.Magic1, uint? declaredLength = null)
    {
        body ??= [];
        var bytes = new byte[ProtocolLimits.HeaderSize + body.Length];
        bytes[0] = magic0;
        bytes[1] = magic1;
        bytes[2] = version;
        bytes[3] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), reserved);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), declaredLength ?? (uint)body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), correlation);
        body.CopyTo(bytes, ProtocolLimits.HeaderSize);
        return bytes;
    }

    public static byte[] Frame(FrameType type, uint correlation = 0, byte[]? body = null, ushort flags = 0) =>
        Frame((byte)type, correlation, body, flags);
}
