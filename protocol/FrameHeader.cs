using System.Buffers.Binary;

namespace TamTam.Protocol;

/// <summary>The fixed 16-byte header in front of every frame (docs/protocol.md, section 3).</summary>
public readonly record struct FrameHeader(FrameType Type, ushort Flags, uint BodyLength, uint Correlation)
{
    /// <summary>Writes this header into the first 16 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < ProtocolLimits.HeaderSize)
        {
            throw new ArgumentException("A header needs 16 bytes.", nameof(destination));
        }

        destination[0] = ProtocolLimits.Magic0;
        destination[1] = ProtocolLimits.Magic1;
        destination[2] = ProtocolLimits.Version;
        destination[3] = (byte)Type;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], BodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], Correlation);
    }

    /// <summary>The body length of an encoded frame whose header starts <paramref name="frame"/>; nothing is checked.</summary>
    public static int ReadBodyLength(ReadOnlySpan<byte> frame) => (int)BinaryPrimitives.ReadUInt32LittleEndian(frame[8..]);

    /// <summary>
    /// Reads and checks a header in the order the specification fixes: magic, version, reserved bytes,
    /// body length against <paramref name="maxBody"/>. Every failure here is fatal.
    /// </summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source, int maxBody)
    {
        uint correlation = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]);
        if (source[0] != ProtocolLimits.Magic0 || source[1] != ProtocolLimits.Magic1)
        {
            throw new ProtocolException(ErrorCode.BadMagic, $"expected magic 0x5454, got 0x{source[0]:x2}{source[1]:x2}", correlation);
        }

        if (source[2] != ProtocolLimits.Version)
        {
            throw new ProtocolException(ErrorCode.UnsupportedVersion, $"header version {source[2]} is not spoken here (1)", correlation);
        }

        if (source[6] != 0 || source[7] != 0)
        {
            throw new ProtocolException(ErrorCode.BadHeader, "reserved header bytes 6-7 must be zero", correlation);
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (length > (uint)maxBody)
        {
            throw new ProtocolException(ErrorCode.FrameTooLarge, $"body of {length} bytes exceeds the maximum of {maxBody}", correlation);
        }

        return new FrameHeader((FrameType)source[3], BinaryPrimitives.ReadUInt16LittleEndian(source[4..]), length, correlation);
    }
}
