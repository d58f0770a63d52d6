namespace TamTam.Interfaces.Transfers;

/// <summary>The answer to a (possibly repeated) parted SEND: where the transfer stands now.</summary>
/// <param name="Phase">The phase after the call: <see cref="TransferPhase.Staging"/> for a new or resumed upload.</param>
/// <param name="Sequence">The link sequence, when <see cref="TransferPhase.Accepted"/> or later.</param>
/// <param name="AcceptedAtUs">When the link accepted it, when it did.</param>
/// <param name="Refusal">Set when the SEND cannot go on (another sender's id, another shape); <see cref="ErrorCode.None"/> otherwise.</param>
/// <param name="Detail">Why it was refused.</param>
[GenerateSerializer, Immutable, Alias("tamtam.TransferStart")]
public sealed record TransferStart(
    [property: Id(0)] TransferPhase Phase,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] long AcceptedAtUs,
    [property: Id(3)] ErrorCode Refusal,
    [property: Id(4)] string? Detail);
