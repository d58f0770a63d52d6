using System.Buffers.Binary;
using TamTam.Protocol.Internal;

namespace TamTam.Protocol;

/// <summary>
/// Writes the fields of one frame body into a span sized beforehand. Names, ports and strings are checked
/// with the same rules a receiver applies, so this encoder never puts an invalid frame on the wire.
/// </summary>
public ref struct BodyWriter
{
    private readonly Span<byte> _destination;
    private int _position;

    public BodyWriter(Span<byte> destination)
    {
        _destination = destination;
        _position = 0;
    }

    public readonly int Written => _position;

    public static int SizeOfStr8(Utf8Text text) => 1 + text.ByteLength;

    public static int SizeOfText(Utf8Text text) => 2 + text.ByteLength;

    public static int SizeOfBytes(ReadOnlyMemory<byte> bytes) => 2 + bytes.Length;

    public void WriteU8(byte value) => _destination[_position++] = value;

    public void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_destination[_position..], value);
        _position += 4;
    }

    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_destination[_position..], value);
        _position += 8;
    }

    public void WriteI64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_destination[_position..], value);
        _position += 8;
    }

    public void WriteUuid(Guid value)
    {
        value.TryWriteBytes(_destination[_position..], bigEndian: true, out int written);
        _position += written;
    }

    public void WriteStr8(Utf8Text text, string field)
    {
        if (text.ByteLength > byte.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, $"{field} is {text.ByteLength} bytes; a str8 holds at most 255");
        }

        EnsureUtf8(text, field);
        WriteLengthPrefixed8(text);
    }

    public void WriteName(Utf8Text text, string field)
    {
        EnsureUtf8(text, field);
        if (!text.IsKnownName && !NameRules.IsName(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidName, $"{field} \"{text}\" is not a valid name");
        }

        WriteLengthPrefixed8(text);
    }

    public void WriteOptionalLink(Utf8Text text, string field)
    {
        if (text.IsEmpty)
        {
            WriteU8(0);
            return;
        }

        WriteName(text, field);
    }

    public void WriteOptionalPort(Utf8Text text, string field)
    {
        if (text.IsEmpty)
        {
            WriteU8(0);
            return;
        }

        WritePort(text, field);
    }

    public void WritePort(Utf8Text text, string field)
    {
        EnsureUtf8(text, field);
        if (!text.IsKnownPort && !NameRules.IsPort(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidName, $"{field} \"{text}\" is not a valid port name");
        }

        WriteLengthPrefixed8(text);
    }

    public void WriteText(Utf8Text text, string field)
    {
        if (text.ByteLength > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, $"{field} is {text.ByteLength} bytes; a text holds at most 65,535");
        }

        EnsureUtf8(text, field);
        WriteU16((ushort)text.ByteLength);
        WriteRaw(text.Utf8.Span);
    }

    public void WriteBytes(ReadOnlyMemory<byte> bytes, string field)
    {
        if (bytes.Length > ushort.MaxValue)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, $"{field} is {bytes.Length} bytes; a bytes field holds at most 65,535");
        }

        WriteU16((ushort)bytes.Length);
        WriteRaw(bytes.Span);
    }

    public void WriteSha256(ReadOnlyMemory<byte> digest, string field)
    {
        if (digest.Length != ProtocolLimits.Sha256Size)
        {
            throw new ProtocolException(ErrorCode.OutOfRange, $"{field} must be 32 bytes, got {digest.Length}");
        }

        WriteRaw(digest.Span);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[_position..]);
        _position += bytes.Length;
    }

    // Names and ports are at most 255 bytes by their grammar, so the u8 prefix cannot overflow here.
    private void WriteLengthPrefixed8(Utf8Text text)
    {
        ReadOnlySpan<byte> bytes = text.Utf8.Span;
        _destination[_position] = (byte)bytes.Length;
        bytes.CopyTo(_destination[(_position + 1)..]);
        _position += 1 + bytes.Length;
    }

    private static void EnsureUtf8(Utf8Text text, string field)
    {
        if (!text.IsKnownUtf8 && !NameRules.IsValidUtf8(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidUtf8, $"{field} is not well-formed UTF-8");
        }
    }
}
