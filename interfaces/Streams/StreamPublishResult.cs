namespace TamTam.Interfaces.Streams;

/// <summary>
/// What became of one publish call: every packet numbered with consecutive sequences from <see cref="FirstSequence"/>
/// and routed, or none. <see cref="Lag"/> tells the publisher how far its stream is ahead of the slowest subscriber
/// that keeps up, so that it can hold back before that subscriber's buffer overflows.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.StreamPublishResult")]
public readonly record struct StreamPublishResult(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] ulong FirstSequence,
    [property: Id(2)] string? Detail,
    [property: Id(3)] int Lag = 0)
{
    public bool Published => Code == ErrorCode.None;

    public static StreamPublishResult Ok(ulong firstSequence, int lag = 0) => new(ErrorCode.None, firstSequence, null, lag);

    public static StreamPublishResult Refused(ErrorCode code, string detail) => new(code, 0, detail);
}
