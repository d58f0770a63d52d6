namespace TamTam.Interfaces.Links;

/// <summary>The answer to one SEND: accepted with its place in the link's order, or refused with a code.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.SendOutcome")]
public readonly record struct SendOutcome(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] long AcceptedAtUs,
    [property: Id(3)] bool Duplicate,
    [property: Id(4)] string? Detail)
{
    public bool Accepted => Code == ErrorCode.None;

    public static SendOutcome Refused(ErrorCode code, string detail) => new(code, 0, 0, false, detail);
}
