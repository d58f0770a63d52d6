namespace TamTam.Interfaces.Links;

/// <summary>An ACK (<see cref="Nack"/> false) or a NACK of one delivery.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.AckCommand")]
public readonly record struct AckCommand(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] bool Nack,
    [property: Id(3)] bool Requeue,
    [property: Id(4)] ushort Reason,
    [property: Id(5)] string? Detail);
