using TamTam.Protocol;

namespace TamTam.Interfaces.Descriptors;

/// <summary>One line of a link's audit trail: who sent which message to which port, when, and how it ended. Never its payload.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.AuditLine")]
public sealed record AuditLine(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] string SourceLink,
    [property: Id(3)] string SourceNode,
    [property: Id(4)] string Port,
    [property: Id(5)] long AcceptedAtUs,
    [property: Id(6)] FinalState State,
    [property: Id(7)] uint Recipients,
    [property: Id(8)] uint Confirmed,
    [property: Id(9)] long FinalAtUs);

/// <summary>One page of a link's audit trail and the cursor of the next (0: none for now).</summary>
[GenerateSerializer, Immutable, Alias("tamtam.AuditPage")]
public sealed record AuditPage(
    [property: Id(0)] ulong Next,
    [property: Id(1)] AuditLine[] Lines);
