using System.Buffers;

namespace TamTam.Protocol;

/// <summary>
/// Cuts frames out of a byte stream that may arrive split at any byte. Only the header is inspected here;
/// bodies are decoded by <see cref="FrameCodec"/>.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Reads one complete frame from the front of <paramref name="buffer"/> and advances it past the frame.
    /// Returns false, leaving <paramref name="buffer"/> untouched, while the frame is incomplete.
    /// </summary>
    /// <exception cref="ProtocolException">A fatal header error (100–103).</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxBody, out Frame frame)
    {
        if (buffer.Length < ProtocolLimits.HeaderSize)
        {
            frame = default;
            return false;
        }

        FrameHeader header;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= ProtocolLimits.HeaderSize)
        {
            header = FrameHeader.Read(first, maxBody);
        }
        else
        {
            Span<byte> scratch = stackalloc byte[ProtocolLimits.HeaderSize];
            buffer.Slice(0, ProtocolLimits.HeaderSize).CopyTo(scratch);
            header = FrameHeader.Read(scratch, maxBody);
        }

        long total = ProtocolLimits.HeaderSize + (long)header.BodyLength;
        if (buffer.Length < total)
        {
            frame = default;
            return false;
        }

        // The body of a frame inside one segment is wrapped directly; slicing the sequence costs more.
        ReadOnlySequence<byte> body = first.Length >= total
            ? new ReadOnlySequence<byte>(buffer.First.Slice(ProtocolLimits.HeaderSize, (int)header.BodyLength))
            : buffer.Slice(ProtocolLimits.HeaderSize, header.BodyLength);
        frame = new Frame(header, body);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>
    /// Called when the transport has ended: any bytes left over are a frame cut short (117).
    /// </summary>
    public static void EnsureNothingPending(in ReadOnlySequence<byte> remaining)
    {
        if (!remaining.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.Truncated, $"the transport ended {remaining.Length} bytes into a frame");
        }
    }
}
