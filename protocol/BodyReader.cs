using System.Buffers;
using System.Buffers.Binary;
using TamTam.Protocol.Internal;

namespace TamTam.Protocol;

/// <summary>
/// Reads the fields of one frame body in order, enforcing the checks of docs/protocol.md section 4
/// (111 overrun, 112 UTF-8, 113 names, 114 ranges). Strings and bytes are slices of the frame, not copies.
/// </summary>
public ref struct BodyReader
{
    // The fields of a frame that carries a payload never exceed this many bytes (DELIVER, the longest,
    // stays under 1,300), so a body split across buffer segments needs at most this much copied.
    private const int MaxFieldsPrefix = 4_096;

    private readonly ReadOnlySequence<byte> _body;
    private readonly ReadOnlyMemory<byte> _fields;
    private readonly ReadOnlySpan<byte> _span;
    private readonly bool _contiguous;
    private readonly uint _correlation;
    private int _position;

    public BodyReader(in ReadOnlySequence<byte> body, bool hasPayload, uint correlation)
    {
        _body = body;
        _correlation = correlation;
        _position = 0;
        _contiguous = body.IsSingleSegment;
        if (_contiguous)
        {
            _fields = body.First;
        }
        else
        {
            // Rare: the frame straddles buffer segments. Copy only the field prefix, never the payload.
            long take = hasPayload ? Math.Min(body.Length, MaxFieldsPrefix) : body.Length;
            _fields = body.Slice(0, take).ToArray();
        }

        _span = _fields.Span;
    }

    public readonly uint Correlation => _correlation;

    /// <summary>Bytes of the body not read yet.</summary>
    public readonly long Remaining => _body.Length - _position;

    public byte ReadU8(string field) => Take(1, field)[0];

    public ushort ReadU16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public uint ReadU32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public ulong ReadU64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    public long ReadI64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    public long ReadTimestamp(string field) => ReadI64(field);

    public bool ReadBool(string field)
    {
        byte value = ReadU8(field);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw OutOfRange(field, $"bool must be 0 or 1, got {value}"),
        };
    }

    public Guid ReadUuid(string field) => new(Take(ProtocolLimits.UuidSize, field), bigEndian: true);

    /// <summary>A <c>str8</c>: u8 length, then UTF-8.</summary>
    public Utf8Text ReadStr8(string field)
    {
        int length = ReadU8(field);
        return ReadUtf8(length, field);
    }

    /// <summary>A <c>name</c>: a non-empty str8 following the name grammar.</summary>
    public Utf8Text ReadName(string field)
    {
        ReadOnlyMemory<byte> bytes = TakeMemory(ReadU8(field), field);
        if (NameRules.IsAsciiName(bytes.Span))
        {
            return Utf8Text.CheckedName(bytes);
        }

        Utf8Text text = CheckUtf8(bytes, field);
        if (!NameRules.IsName(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidName, $"{field} \"{text}\" is not a valid name", _correlation);
        }

        return Utf8Text.CheckedName(text.Utf8);
    }

    /// <summary>A <c>link?</c>: empty (the own link) or a name.</summary>
    public Utf8Text ReadOptionalLink(string field)
    {
        ReadOnlyMemory<byte> bytes = TakeMemory(ReadU8(field), field);
        if (bytes.IsEmpty)
        {
            return default;
        }

        if (NameRules.IsAsciiName(bytes.Span))
        {
            return Utf8Text.CheckedName(bytes);
        }

        Utf8Text text = CheckUtf8(bytes, field);

        if (!NameRules.IsName(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidName, $"{field} \"{text}\" is not a valid link name", _correlation);
        }

        return Utf8Text.CheckedName(text.Utf8);
    }

    /// <summary>A <c>port</c>: a str8 following the port grammar.</summary>
    public Utf8Text ReadPort(string field)
    {
        ReadOnlyMemory<byte> bytes = TakeMemory(ReadU8(field), field);
        if (NameRules.IsAsciiPort(bytes.Span))
        {
            return Utf8Text.CheckedPort(bytes);
        }

        Utf8Text text = CheckUtf8(bytes, field);
        if (!NameRules.IsPort(text.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.InvalidName, $"{field} \"{text}\" is not a valid port name", _correlation);
        }

        return Utf8Text.CheckedPort(text.Utf8);
    }

    /// <summary>A <c>port?</c>: empty, or a port.</summary>
    public Utf8Text ReadOptionalPort(string field)
    {
        if (_position < _span.Length && _span[_position] == 0)
        {
            _position++;
            return default;
        }

        return ReadPort(field);
    }

    /// <summary>A <c>text</c>: u16 length, then UTF-8.</summary>
    public Utf8Text ReadText(string field)
    {
        int length = ReadU16(field);
        return ReadUtf8(length, field);
    }

    /// <summary>A <c>bytes</c> field: u16 length, then opaque bytes.</summary>
    public ReadOnlyMemory<byte> ReadBytes(string field)
    {
        int length = ReadU16(field);
        return TakeMemory(length, field);
    }

    public ReadOnlyMemory<byte> ReadSha256(string field) => TakeMemory(ProtocolLimits.Sha256Size, field);

    /// <summary>The rest of the body, as a slice of the frame (no copy).</summary>
    public ReadOnlySequence<byte> ReadPayload()
    {
        ReadOnlySequence<byte> payload = _contiguous ? new ReadOnlySequence<byte>(_fields[_position..]) : _body.Slice(_position);
        _position = (int)_body.Length;
        return payload;
    }

    /// <summary>For types without payload: bytes left over after the last field are error 111.</summary>
    public readonly void EnsureEnd(FrameType type)
    {
        if (Remaining != 0)
        {
            throw new ProtocolException(ErrorCode.BadLength, $"{type.WireName()} has {Remaining} bytes after its last field", _correlation);
        }
    }

    /// <summary>
    /// Reads a list's u16 count and checks that <paramref name="minEntrySize"/>-byte entries that many
    /// could fit in what remains, so a lying count cannot make the receiver allocate before failing (111).
    /// </summary>
    public int ReadCount(string field, int minEntrySize)
    {
        int count = ReadU16(field);
        if ((long)count * minEntrySize > Remaining)
        {
            throw new ProtocolException(ErrorCode.BadLength, $"{field} {count} cannot fit in the {Remaining} bytes left", _correlation);
        }

        return count;
    }

    public readonly ProtocolException OutOfRange(string field, string detail) =>
        new(ErrorCode.OutOfRange, $"{field}: {detail}", _correlation);

    public readonly ProtocolException BadLength(string detail) =>
        new(ErrorCode.BadLength, detail, _correlation);

    private Utf8Text ReadUtf8(int length, string field) => CheckUtf8(TakeMemory(length, field), field);

    private readonly Utf8Text CheckUtf8(ReadOnlyMemory<byte> bytes, string field)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        if (!NameRules.IsVisibleAscii(span) && !NameRules.IsValidUtf8(span))
        {
            throw new ProtocolException(ErrorCode.InvalidUtf8, $"{field} is not well-formed UTF-8", _correlation);
        }

        return Utf8Text.CheckedUtf8(bytes);
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (_span.Length - _position < count)
        {
            throw Overrun(count, field);
        }

        ReadOnlySpan<byte> slice = _span.Slice(_position, count);
        _position += count;
        return slice;
    }

    private ReadOnlyMemory<byte> TakeMemory(int count, string field)
    {
        if (_fields.Length - _position < count)
        {
            throw Overrun(count, field);
        }

        ReadOnlyMemory<byte> slice = _fields.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly ProtocolException Overrun(int count, string field) =>
        new(ErrorCode.BadLength, $"body ends inside {field} (needs {count} bytes at offset {_position})", _correlation);
}
