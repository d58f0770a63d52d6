namespace TamTam.Interfaces.Transfers;

/// <summary>
/// What a parted message carries instead of an inline payload: its size, how the sender cut it, and the
/// SHA-256 of the whole. The link log holds this, never the bytes, which live in the payload store under the
/// message id.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.TransferDescriptor")]
public sealed record TransferDescriptor(
    [property: Id(0)] long TotalSize,
    [property: Id(1)] int PartSize,
    [property: Id(2)] int PartCount,
    [property: Id(3)] byte[] Sha256)
{
    /// <summary>True when both describe the same payload cut the same way.</summary>
    public bool SameAs(TransferDescriptor other) =>
        other is not null && TotalSize == other.TotalSize && PartSize == other.PartSize && PartCount == other.PartCount
        && Sha256.AsSpan().SequenceEqual(other.Sha256);
}
