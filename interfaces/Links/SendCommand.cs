using TamTam.Interfaces.Transfers;

namespace TamTam.Interfaces.Links;

/// <summary>
/// One SEND as the orchestrator sees it: a descriptor and opaque payload bytes, or for a parted message an empty
/// payload and the <see cref="Transfer"/> whose bytes wait, committed, in the payload store. <see cref="TraceParent"/>:
/// the sender's W3C trace context (SEND flag TRACED), kept with the message and handed on in its deliveries.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.SendCommand")]
public sealed record SendCommand(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string Port,
    [property: Id(2)] bool Subtree,
    [property: Id(3)] uint TtlMs,
    [property: Id(4)] byte[] Payload,
    [property: Id(5)] TransferDescriptor? Transfer = null,
    [property: Id(6)] ReplyRoute? Reply = null,
    [property: Id(7)] string? TraceParent = null);
