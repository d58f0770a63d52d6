using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using TamTam.Storage.Blob.Internal;
using TamTam.Storage.Internal;
using TamTam.Storage.Payloads;
using TamTam.Storage.Payloads.Internal;

namespace TamTam.Storage.Blob;

/// <summary>
/// An <see cref="IPayloadStore"/> on Azure Blob Storage: one block blob per payload,
/// <c>payloads/&lt;transfer id&gt;</c>, each part one block (staged with Put Block, so durable once
/// acknowledged), committed with Put Block List in index order once every part's size was checked.
/// </summary>
/// <remarks>
/// <para>
/// Block ids are the base64 of the part index as 10 digits. Until the commit the payload is an
/// uncommitted blob: its blocks are listed but it cannot be read. The commit names exactly parts
/// 0 … n − 1, so the service discards any other staged block. Reads are ranged downloads
/// (<c>Range: bytes=offset-…</c>) streamed into the caller's buffer.
/// </para>
/// <para>
/// On Azure Storage, deleting a blob that was never committed fails with 404 and leaves its
/// uncommitted blocks behind (the service keeps them up to a week), and deleting a committed blob
/// is not documented to drop blocks staged since. So a delete that finds uncommitted blocks first
/// commits an empty block list, which discards every one of them, then deletes the blob.
/// </para>
/// </remarks>
public sealed class BlobPayloadStore : IPayloadStore
{
    /// <summary>The prefix of payload blobs in the container.</summary>
    public const string PayloadsPrefix = "payloads/";

    private const int MaxReportedProblems = 5;

    private readonly BlobContainer _container;
    private readonly ILogger _logger;

    /// <summary>Creates a store over <paramref name="options"/>' container; sends nothing until first used.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public BlobPayloadStore(BlobStorageOptions options, ILogger<BlobPayloadStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        BlobStorageOptionsValidator.ThrowIfInvalid(options);

        _container = new BlobContainer(options);
        _logger = logger;
    }

    /// <summary>The name of the blob that holds (or will hold) <paramref name="transferId"/>.</summary>
    public static string GetBlobName(Guid transferId) => PayloadsPrefix + transferId.ToString("N");

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty (no part of a payload is).</exception>
    public async ValueTask StagePartAsync(Guid transferId, int index, ReadOnlyMemory<byte> data, uint? crc32C = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (data.IsEmpty)
        {
            throw new ArgumentException("A part is never empty: every part holds at least one byte of its payload.", nameof(data));
        }

        await _container.EnsureCreatedAsync().ConfigureAwait(false);
        using var content = ReadOnlyMemoryStream.Create(data);
        await BlobOf(transferId).StageBlockAsync(BlockIds.Format(index), content, options: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<int>> GetStagedPartsAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        var blocks = await GetBlocksAsync(transferId, cancellationToken).ConfigureAwait(false);
        var parts = new List<int>(blocks.Count);
        foreach (var index in blocks.Keys)
        {
            parts.Add(index);
        }

        parts.Sort();
        return parts;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="layout"/> is not one that <see cref="PayloadLayout.For"/> gives.</exception>
    public async ValueTask CommitAsync(Guid transferId, PayloadLayout layout, CancellationToken cancellationToken = default)
    {
        PayloadLayoutCheck.ThrowIfInvalid(layout, nameof(layout));
        var blocks = await GetBlocksAsync(transferId, cancellationToken).ConfigureAwait(false);
        if (blocks.Count == 0)
        {
            throw new PayloadIncompleteException(transferId, $"no part is staged; {layout.PartCount} expected.");
        }

        var problems = new List<string>();
        var problemCount = 0;
        var ids = new string[layout.PartCount];
        for (var index = 0; index < layout.PartCount; index++)
        {
            ids[index] = BlockIds.Format(index);
            var expected = layout.SizeOfPart(index);
            string? problem = !blocks.TryGetValue(index, out var size) ? $"part {index} is missing"
                : size != expected ? $"part {index} is {size} bytes, {expected} expected"
                : null;
            if (problem is not null && ++problemCount <= MaxReportedProblems)
            {
                problems.Add(problem);
            }
        }

        if (problemCount > 0)
        {
            var more = problemCount > MaxReportedProblems ? $" (and {problemCount - MaxReportedProblems} more)" : string.Empty;
            throw new PayloadIncompleteException(transferId, string.Join("; ", problems) + more + ".");
        }

        // Each id goes in the <Latest> list: a block staged since the last commit wins over the committed one.
        await BlobOf(transferId).CommitBlockListAsync(ids, options: null, CancellationToken.None).ConfigureAwait(false);
        _logger.PayloadCommitted(transferId, layout.TotalSize, layout.PartCount);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public async ValueTask<int> ReadAsync(Guid transferId, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var blob = BlobOf(transferId);
        if (destination.IsEmpty)
        {
            await ThrowIfNotCommittedAsync(transferId, blob, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        Response<BlobDownloadStreamingResult> download;
        try
        {
            download = await blob.DownloadStreamingAsync(
                new BlobDownloadOptions { Range = new HttpRange(offset, destination.Length) }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            throw new PayloadNotFoundException(transferId);
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.RangeNotSatisfiable)
        {
            // The offset is at or past the end of a committed payload.
            return 0;
        }

        using (download.Value)
        {
            var content = download.Value.Content;
            var total = 0;
            while (total < destination.Length)
            {
                var read = await content.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(Guid transferId, CancellationToken cancellationToken = default)
    {
        var blob = BlobOf(transferId);
        var list = await GetBlockListAsync(blob, cancellationToken).ConfigureAwait(false);
        if (list is null)
        {
            return;
        }

        // Uncommitted blocks (of a payload never committed, or staged after its commit) survive a plain
        // delete on Azure Storage. Committing an empty list discards every one of them.
        if (list.UncommittedBlocks.Any())
        {
            await blob.CommitBlockListAsync([], options: null, CancellationToken.None).ConfigureAwait(false);
        }

        await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions: null, CancellationToken.None).ConfigureAwait(false);
        _logger.PayloadDeleted(transferId);
    }

    private BlockBlobClient BlobOf(Guid transferId) => _container.Client.GetBlockBlobClient(GetBlobName(transferId));

    /// <summary>The latest size of each part block, uncommitted over committed; empty when nothing is stored.</summary>
    private async ValueTask<Dictionary<int, long>> GetBlocksAsync(Guid transferId, CancellationToken cancellationToken)
    {
        var blocks = new Dictionary<int, long>();
        var list = await GetBlockListAsync(BlobOf(transferId), cancellationToken).ConfigureAwait(false);
        if (list is null)
        {
            return blocks;
        }

        foreach (var block in list.CommittedBlocks)
        {
            if (BlockIds.TryParse(block.Name, out var index))
            {
                blocks[index] = block.SizeLong;
            }
        }

        foreach (var block in list.UncommittedBlocks)
        {
            if (BlockIds.TryParse(block.Name, out var index))
            {
                blocks[index] = block.SizeLong;
            }
        }

        return blocks;
    }

    /// <summary>Committed and uncommitted blocks; null when the name holds neither a blob nor staged blocks.</summary>
    private static async ValueTask<BlockList?> GetBlockListAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetBlockListAsync(BlockListTypes.All, snapshot: null, conditions: null, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            return null;
        }
    }

    private static async ValueTask ThrowIfNotCommittedAsync(Guid transferId, BlockBlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.GetPropertiesAsync(conditions: null, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == BlobStatus.NotFound)
        {
            throw new PayloadNotFoundException(transferId);
        }
    }
}
