namespace TamTam.Client.Internal;

/// <summary>
/// The correlations of the frames that answer the server — ACK, NACK, STATUS_ACK. Nothing waits for them (they get no
/// reply when they succeed), but an ERROR about one carries its correlation, and this table says which message and
/// which answer it was. They come from the upper half of the correlation space, which requests (counting up from
/// HELLO's) do not reach, and the last <see cref="Capacity"/> are remembered: an ERROR comes within a round trip.
/// </summary>
internal sealed class AnswerCorrelations
{
    public const int Capacity = 4096;

    private const uint First = 0x8000_0000;

    // Up to 0xFFFF_FFFE: uint.MaxValue is the stream receiver's correlation.
    private const uint Span = 0x7FFF_FFFF;

    private readonly Lock _gate = new();
    private readonly Entry[] _ring = new Entry[Capacity];
    private uint _next;

    /// <summary>A correlation for <paramref name="kind"/> about <paramref name="messageId"/>.</summary>
    public uint Next(AnswerKind kind, Guid messageId)
    {
        lock (_gate)
        {
            uint correlation = First + (_next++ % Span);
            _ring[correlation % Capacity] = new Entry(correlation, kind, messageId);
            return correlation;
        }
    }

    /// <summary>The answer <paramref name="correlation"/> was given to, once; false for any other correlation.</summary>
    public bool TryTake(uint correlation, out AnswerKind kind, out Guid messageId)
    {
        kind = default;
        messageId = default;
        if (correlation < First)
        {
            return false;
        }

        lock (_gate)
        {
            ref Entry entry = ref _ring[correlation % Capacity];
            if (entry.Correlation != correlation || entry.MessageId == Guid.Empty)
            {
                return false;
            }

            (kind, messageId) = (entry.Kind, entry.MessageId);
            entry = default;
            return true;
        }
    }

    private readonly record struct Entry(uint Correlation, AnswerKind Kind, Guid MessageId);
}

/// <summary>Which answer to the server a correlation of <see cref="AnswerCorrelations"/> was given to.</summary>
internal enum AnswerKind : byte
{
    Ack,
    Nack,
    StatusAck,
}
