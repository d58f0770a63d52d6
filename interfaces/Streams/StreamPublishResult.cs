namespace TamTam.Interfaces.Streams;

/// <summary>What became of one publish call: every packet numbered with consecutive sequences from <see cref="FirstSequence"/> and routed, or none.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.StreamPublishResult")]
public readonly record struct StreamPublishResult(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] ulong FirstSequence,
    [property: Id(2)] string? Detail)
{
    public bool Published => Code == ErrorCode.None;

    public static StreamPublishResult Ok(ulong firstSequence) => new(ErrorCode.None, firstSequence, null);

    public static StreamPublishResult Refused(ErrorCode code, string detail) => new(code, 0, detail);
}
