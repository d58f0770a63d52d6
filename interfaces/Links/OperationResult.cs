namespace TamTam.Interfaces.Links;

/// <summary>Success, or the protocol's error code and a detail for the ERROR frame.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.OperationResult")]
public sealed record OperationResult(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] string? Detail = null)
{
    public static OperationResult Ok { get; } = new(ErrorCode.None);

    public bool Succeeded => Code == ErrorCode.None;

    public static OperationResult Fail(ErrorCode code, string detail) => new(code, detail);
}
