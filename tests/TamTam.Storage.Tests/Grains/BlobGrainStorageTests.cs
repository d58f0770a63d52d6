using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Storage;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.Storage.Tests.Grains;

/// <summary>The grain-storage contract on Azure Blob Storage (Azurite), plus what only blobs have.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobGrainStorageTests(AzuriteFixture azurite) : GrainStorageContract
{
    private readonly BlobStorageOptions _options = azurite.NewOptions();
    private readonly StorageMetrics _metrics = new();

    protected override IGrainStorage CreateStorage() =>
        new BlobGrainStorage("test", _options, Serializer, Activators, _metrics, NullLogger<BlobGrainStorage>.Instance);

    protected override async Task<bool> StateExistsAsync(string stateName, GrainId grainId) =>
        (await BlobOf(stateName, grainId).ExistsAsync()).Value;

    protected override async Task<string> DamageStateAsync(string stateName, GrainId grainId)
    {
        var blob = BlobOf(stateName, grainId);
        var download = (await blob.DownloadContentAsync()).Value;
        var bytes = download.Content.ToArray();
        bytes[^1] ^= 0xFF;
        await blob.UploadAsync(new BinaryData(bytes), new BlobUploadOptions { Metadata = download.Details.Metadata });
        return BlobGrainStorage.GetBlobName(stateName, grainId);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _metrics.Dispose();
    }

    [Fact]
    public async Task A_state_is_a_blob_named_by_encoded_state_name_and_grain_id_holding_the_serialized_state()
    {
        await Storage.WriteStateAsync(StateName, Grain, new GrainState<CounterState>(new CounterState { Count = 42 }));

        Assert.Equal("grains/counter/counter%2Flink%2Fbilling", BlobGrainStorage.GetBlobName(StateName, Grain));
        var download = (await BlobOf(StateName, Grain).DownloadContentAsync()).Value;
        Assert.Contains("42", download.Content.ToString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{8}$", download.Details.Metadata[BlobGrainStorage.CrcMetadataKey]);
    }

    [Fact]
    public async Task Two_storages_over_one_container_see_each_others_writes_as_conflicts()
    {
        var first = new GrainState<CounterState>(new CounterState { Count = 1 });
        await Storage.WriteStateAsync(StateName, Grain, first);
        var other = CreateStorage();
        var second = new GrainState<CounterState>(new CounterState());
        await other.ReadStateAsync(StateName, Grain, second);
        second.State!.Count = 2;
        await other.WriteStateAsync(StateName, Grain, second);

        first.State!.Count = 3;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(StateName, Grain, first));

        Assert.Equal(second.ETag, conflict.StoredEtag);
    }

    private BlobClient BlobOf(string stateName, GrainId grainId) =>
        new(_options.ConnectionString, _options.ContainerName, BlobGrainStorage.GetBlobName(stateName, grainId));
}
