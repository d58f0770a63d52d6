using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Blob;
using TamTam.Storage.Payloads;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.Storage.Tests.Payloads;

/// <summary>The payload-store contract on Azure Blob Storage (Azurite), plus what only blobs have.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobPayloadStoreTests(AzuriteFixture azurite) : PayloadStoreContract
{
    private readonly BlobStorageOptions _options = azurite.NewOptions();

    protected override IPayloadStore CreateStore() => new BlobPayloadStore(_options, NullLogger<BlobPayloadStore>.Instance);

    [Fact]
    public async Task A_committed_payload_is_one_block_blob_with_a_block_per_part_in_index_order()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));

        var blob = Container().GetBlobClient(BlobPayloadStore.GetBlobName(id));
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(BlobType.Block, properties.BlobType);
        Assert.Equal(2500, properties.ContentLength);
        var blocks = (await new Azure.Storage.Blobs.Specialized.BlockBlobClient(_options.ConnectionString, _options.ContainerName, BlobPayloadStore.GetBlobName(id))
            .GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.ToArray();
        Assert.Equal(["MDAwMDAwMDAwMA==", "MDAwMDAwMDAwMQ==", "MDAwMDAwMDAwMg=="], blocks.Select(b => b.Name));
        Assert.Equal([1000L, 1000, 500], blocks.Select(b => b.SizeLong));
    }

    [Fact]
    public async Task Deleting_a_never_committed_payload_leaves_no_blob_and_no_uncommitted_blocks()
    {
        var id = Guid.NewGuid();
        await StageAllAsync(Store, id, Payload(2500));
        var blob = new Azure.Storage.Blobs.Specialized.BlockBlobClient(_options.ConnectionString, _options.ContainerName, BlobPayloadStore.GetBlobName(id));

        Assert.NotEmpty((await blob.GetBlockListAsync(BlockListTypes.Uncommitted)).Value.UncommittedBlocks);

        await Store.DeleteAsync(id);

        Assert.False((await blob.ExistsAsync()).Value);
        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => blob.GetBlockListAsync(BlockListTypes.All));
        Assert.Equal(404, error.Status);
    }

    [Fact]
    public async Task Deleting_a_committed_payload_also_drops_parts_staged_after_the_commit()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2000);
        await StageAllAsync(Store, id, payload);
        await Store.CommitAsync(id, Layout(payload));
        await Store.StagePartAsync(id, 7, Payload(PartSize, seed: 7));

        await Store.DeleteAsync(id);

        Assert.Empty(await Store.GetStagedPartsAsync(id));
        Assert.Empty(Container().GetBlobs(new GetBlobsOptions { States = BlobStates.Uncommitted, Prefix = BlobPayloadStore.PayloadsPrefix }));
    }

    private BlobContainerClient Container() => new(_options.ConnectionString, _options.ContainerName);
}
