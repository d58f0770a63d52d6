using TamTam.Interfaces.Links;

namespace TamTam.Interfaces.Transfers;

/// <summary>A parted SEND as the gateway received it: who sends what to where.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.TransferRequest")]
public sealed record TransferRequest(
    [property: Id(0)] MessageSource Source,
    [property: Id(1)] string DestinationLink,
    [property: Id(2)] string Port,
    [property: Id(3)] bool Subtree,
    [property: Id(4)] uint TtlMs,
    [property: Id(5)] TransferDescriptor Descriptor,
    [property: Id(6)] ReplyRoute? Reply = null);
