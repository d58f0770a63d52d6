using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Hosting;
using TamTam.Storage.Payloads;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Hosting;

[Collection(AzuriteCollection.Name)]
public sealed class BlobStorageRegistrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_log_and_payload_stores_resolve_from_services_and_work_on_the_container()
    {
        var options = azurite.NewOptions();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamBlobStorage(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.ContainerName = options.ContainerName;
            })
            .BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        var logs = services.GetRequiredService<ISegmentLogStore>();
        await using (var log = await logs.OpenAsync("registered"))
        {
            await log.AppendAsync(Records.Batch(1, 2));
            Assert.Equal(3, log.NextLsn);
        }

        var payloads = services.GetRequiredService<IPayloadStore>();
        var id = Guid.NewGuid();
        await payloads.StagePartAsync(id, 0, new byte[] { 1, 2, 3 });
        await payloads.CommitAsync(id, PayloadLayout.For(3, 10));

        Assert.IsType<BlobSegmentLogStore>(logs);
        Assert.IsType<BlobPayloadStore>(payloads);
        var read = new byte[3];
        Assert.Equal(3, await payloads.ReadAsync(id, 0, read));
        Assert.Equal(new byte[] { 1, 2, 3 }, read);
    }

    [Fact]
    public async Task Options_bind_from_configuration_keys_including_a_pinned_service_version()
    {
        var options = azurite.NewOptions();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Blob:ConnectionString"] = options.ConnectionString,
                ["Storage:Blob:ContainerName"] = options.ContainerName,
                ["Storage:Blob:ServiceVersion"] = "V2026_06_06",
                ["Storage:Blob:LeaseDuration"] = "00:00:20",
                ["Storage:Blob:SegmentSizeBytes"] = "8192",
            })
            .Build();
        var section = configuration.GetSection("Storage:Blob");
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamBlobStorage(o => section.Bind(o))
            .BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        var bound = services.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
        Assert.Equal(Azure.Storage.Blobs.BlobClientOptions.ServiceVersion.V2026_06_06, bound.ServiceVersion);
        Assert.Equal(TimeSpan.FromSeconds(20), bound.LeaseDuration);
        Assert.Equal(8192, bound.SegmentSizeBytes);

        await using var log = await services.GetRequiredService<ISegmentLogStore>().OpenAsync("pinned");
        Assert.Equal(1, await log.AppendAsync(Records.Batch(1, 1)));
    }

    [Theory]
    [InlineData(null, "tamtam", "BlobStorageOptions.ConnectionString or BlobStorageOptions.ServiceUri is required")]
    [InlineData("UseDevelopmentStorage=true", "Bad_Name", "BlobStorageOptions.ContainerName")]
    [InlineData("UseDevelopmentStorage=true", "a--b", "BlobStorageOptions.ContainerName")]
    public void Invalid_options_fail_at_start_naming_the_key(string? connectionString, string container, string expected)
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamBlobStorage(o =>
            {
                o.ConnectionString = connectionString;
                o.ContainerName = container;
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_a_store_from_invalid_options_directly_also_names_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new BlobSegmentLogStore(
            new BlobStorageOptions { ConnectionString = "UseDevelopmentStorage=true", LeaseDuration = TimeSpan.FromSeconds(5) },
            new StorageMetrics(),
            NullLogger<BlobSegmentLogStore>.Instance));

        Assert.Contains("BlobStorageOptions.LeaseDuration", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(50_001)]
    public void A_segment_block_limit_outside_what_append_blobs_allow_is_refused_naming_the_key(int blocks)
    {
        var error = Assert.Throws<OptionsValidationException>(() => new BlobSegmentLogStore(
            new BlobStorageOptions { ConnectionString = "UseDevelopmentStorage=true", SegmentMaxBlocks = blocks },
            new StorageMetrics(),
            NullLogger<BlobSegmentLogStore>.Instance));

        Assert.Contains($"BlobStorageOptions.SegmentMaxBlocks must be 1 to 50000; it is {blocks}.", error.Message, StringComparison.Ordinal);
    }
}
