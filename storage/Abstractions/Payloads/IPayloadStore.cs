namespace TamTam.Storage.Payloads;

/// <summary>
/// Where the bytes of large (parted) payloads live, disk-first: parts are staged one by one, each durable
/// before it is acknowledged, the payload is committed when every part is there, and receivers read it
/// back by range. No implementation holds a whole payload in memory.
/// </summary>
/// <remarks>
/// A payload is named by its transfer id (the message id of the parted SEND). Parts are numbered from 0;
/// every part but the last is exactly <see cref="PayloadLayout.PartSize"/> bytes. Implementations are
/// safe for concurrent calls on different payloads and on different parts of one payload.
/// </remarks>
public interface IPayloadStore
{
    /// <summary>
    /// Stores part <paramref name="index"/> of <paramref name="transferId"/> durably (it survives a process
    /// crash once this returns). Staging the same index again replaces it; the last write wins. Staging it
    /// again with the same bytes takes no more space.
    /// </summary>
    /// <param name="transferId">The payload's transfer id.</param>
    /// <param name="index">The part's index, from 0.</param>
    /// <param name="data">The part's bytes, never empty; not used once this returns.</param>
    /// <param name="crc32C">
    /// The CRC-32C of <paramref name="data"/> when the caller has it (a PART frame carries it, checked on arrival);
    /// a store that keeps one computes it when it is null.
    /// </param>
    /// <param name="cancellationToken">Checked before the part is stored.</param>
    ValueTask StagePartAsync(Guid transferId, int index, ReadOnlyMemory<byte> data, uint? crc32C = null, CancellationToken cancellationToken = default);

    /// <summary>The indexes of the parts staged (or committed) so far, ascending; empty when the payload is unknown.</summary>
    ValueTask<IReadOnlyList<int>> GetStagedPartsAsync(Guid transferId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Seals the payload: parts 0 … <see cref="PayloadLayout.PartCount"/> − 1 become one payload of
    /// <see cref="PayloadLayout.TotalSize"/> bytes, readable by range. Idempotent. Throws
    /// <see cref="PayloadIncompleteException"/> when a part is missing or has the wrong size.
    /// </summary>
    ValueTask CommitAsync(Guid transferId, PayloadLayout layout, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes of the committed payload from
    /// <paramref name="offset"/>; returns the number read (0 at the end). Throws
    /// <see cref="PayloadNotFoundException"/> when the payload is not committed.
    /// </summary>
    ValueTask<int> ReadAsync(Guid transferId, long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Removes the payload, committed or only staged. Removing an unknown payload does nothing.</summary>
    ValueTask DeleteAsync(Guid transferId, CancellationToken cancellationToken = default);
}

/// <summary>The shape of a parted payload, as the parted SEND declares it.</summary>
/// <param name="TotalSize">The payload's size in bytes, ≥ 1.</param>
/// <param name="PartSize">Every part's size except the last one's.</param>
/// <param name="PartCount">⌈<paramref name="TotalSize"/> / <paramref name="PartSize"/>⌉.</param>
public readonly record struct PayloadLayout(long TotalSize, int PartSize, int PartCount)
{
    /// <summary>The size of part <paramref name="index"/>.</summary>
    public int SizeOfPart(int index) =>
        index < PartCount - 1 ? PartSize : (int)(TotalSize - (long)PartSize * (PartCount - 1));

    /// <summary>The layout for <paramref name="totalSize"/> bytes cut into parts of <paramref name="partSize"/>.</summary>
    public static PayloadLayout For(long totalSize, int partSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        return new PayloadLayout(totalSize, partSize, checked((int)((totalSize + partSize - 1) / partSize)));
    }
}

/// <summary>A commit found a part missing or of the wrong size.</summary>
public sealed class PayloadIncompleteException(Guid transferId, string message)
    : Exception($"payload {transferId} cannot be committed: {message}")
{
    /// <summary>The payload that could not be committed.</summary>
    public Guid TransferId { get; } = transferId;
}

/// <summary>A read asked for a payload that is not committed (or was deleted).</summary>
public sealed class PayloadNotFoundException(Guid transferId)
    : Exception($"payload {transferId} is not committed in this store")
{
    /// <summary>The payload that was asked for.</summary>
    public Guid TransferId { get; } = transferId;
}
