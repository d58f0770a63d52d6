using System.Runtime.InteropServices;
using TamTam.Protocol.Frames;

namespace TamTam.Interfaces.Streams;

/// <summary>
/// Consecutive STREAM packets of one (link, port), already encoded as the frames every subscriber receives:
/// correlation 0, the destination link and port, the TTL left. The publishing gateway encodes them once; the
/// port grain numbers them (<see cref="AssignSequences"/>) and routes the batch; relays and sessions only copy
/// its bytes to sockets. Packets travel in batches because a grain call, a relay call and a socket write each
/// cost far more than a packet.
/// </summary>
/// <remarks>
/// Immutable for Orleans (no deep copy on a call within a silo) once numbered: the publishing session hands the
/// batch over with its call and keeps no reference; the port grain writes the sequences before anyone else sees
/// it; from then on nobody writes.
/// </remarks>
[GenerateSerializer, Immutable, Alias("tamtam.StreamBatch")]
public sealed record StreamBatch(
    [property: Id(0)] string Key,
    [property: Id(1)] int Count,
    [property: Id(2)] ReadOnlyMemory<byte> Frames,
    [property: Id(3)] int SequenceOffset,
    [property: Id(4)] int LargestBody)
{
    /// <summary>The stream_sequence of the first packet, 0 until the port grain numbered the batch.</summary>
    [Id(5)]
    public ulong FirstSequence { get; private set; }

    /// <summary>
    /// The station whose session published the batch, or null (a node, a grain): the interchange sends the station no copy
    /// of its own packets (docs/protocol.md section 5.18, "Streams").
    /// </summary>
    [Id(6)]
    public string? Station { get; init; }

    /// <summary>Numbers the packets <paramref name="first"/>, <paramref name="first"/> + 1, …, in their frames.</summary>
    public void AssignSequences(ulong first)
    {
        StreamFrame.WriteSequences(MemoryMarshal.AsMemory(Frames).Span, Count, SequenceOffset, first);
        FirstSequence = first;
    }
}
