using TamTam.Protocol;

namespace TamTam.Interfaces.Links;

/// <summary>The final state of one accepted message, for its sender node.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StatusReport")]
public sealed record StatusReport(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] string SenderNode,
    [property: Id(2)] FinalState State,
    [property: Id(3)] uint Recipients,
    [property: Id(4)] uint Confirmed,
    [property: Id(5)] long AtUs,
    [property: Id(6)] string Detail);
