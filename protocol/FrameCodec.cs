using System.Buffers;

namespace TamTam.Protocol;

/// <summary>Encodes frames into an <see cref="IBufferWriter{T}"/> and decodes bodies read by <see cref="FrameReader"/>.</summary>
public static class FrameCodec
{
    /// <summary>
    /// Decodes a frame's body as <typeparamref name="T"/>, checking flags (115) and every field rule.
    /// Strings and the payload are slices of the frame's buffer, valid until it is advanced.
    /// </summary>
    /// <exception cref="ProtocolException">The body breaks a rule of docs/protocol.md section 4.</exception>
    public static T Decode<T>(in Frame frame)
        where T : struct, IFrame<T>
    {
        if (frame.Type != T.Type)
        {
            throw new ArgumentException($"A {frame.Type.WireName()} frame cannot be decoded as {T.Type.WireName()}.", nameof(frame));
        }

        ushort flags = frame.Header.Flags;
        if ((flags & ~T.DefinedFlags) != 0)
        {
            throw new ProtocolException(ErrorCode.BadFlags, $"{T.Type.WireName()} does not define flags 0x{flags & ~T.DefinedFlags:x4}", frame.Correlation);
        }

        var reader = new BodyReader(frame.Body, T.HasPayload, frame.Correlation);
        T value = T.Read(ref reader, flags);
        if (!T.HasPayload)
        {
            reader.EnsureEnd(T.Type);
        }

        return value;
    }

    /// <summary>Rejects a frame whose type code protocol v1 does not define (110).</summary>
    public static void EnsureKnownType(in Frame frame)
    {
        if (!FrameTypes.IsDefined((byte)frame.Type))
        {
            throw new ProtocolException(ErrorCode.UnknownType, $"frame type 0x{(byte)frame.Type:x2} is not defined", frame.Correlation);
        }
    }

    /// <summary>Writes header, fields and payload of <paramref name="frame"/> to <paramref name="output"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public static long Encode<T>(IBufferWriter<byte> output, in T frame, uint correlation = 0)
        where T : struct, IFrame<T>
    {
        ArgumentNullException.ThrowIfNull(output);
        int fieldsLength = frame.FieldsLength;
        ReadOnlySequence<byte> payload = frame.Payload;
        long bodyLength = fieldsLength + payload.Length;
        if (bodyLength > ProtocolLimits.MaxBodyCeiling)
        {
            throw new ProtocolException(ErrorCode.FrameTooLarge, $"a body of {bodyLength} bytes exceeds the protocol's ceiling of {ProtocolLimits.MaxBodyCeiling}");
        }

        int prefix = ProtocolLimits.HeaderSize + fieldsLength;
        Span<byte> span = output.GetSpan(prefix)[..prefix];
        new FrameHeader(T.Type, frame.Flags, (uint)bodyLength, correlation).Write(span);
        var writer = new BodyWriter(span[ProtocolLimits.HeaderSize..]);
        frame.WriteFields(ref writer);
        if (writer.Written != fieldsLength)
        {
            throw new InvalidOperationException($"{T.Type.WireName()} wrote {writer.Written} field bytes, announced {fieldsLength}.");
        }

        output.Advance(prefix);
        if (!payload.IsEmpty)
        {
            foreach (ReadOnlyMemory<byte> segment in payload)
            {
                output.Write(segment.Span);
            }
        }

        return prefix + payload.Length;
    }

    /// <summary>Encodes to a new array (for tests and tools; hot paths write to a pipe).</summary>
    public static byte[] ToArray<T>(in T frame, uint correlation = 0)
        where T : struct, IFrame<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(buffer, frame, correlation);
        return buffer.WrittenSpan.ToArray();
    }
}
