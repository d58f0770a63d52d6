using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Hosting;
using TamTam.Storage.Local;
using TamTam.Storage.Payloads;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Hosting;

public sealed class LocalStorageRegistrationTests
{
    [Fact]
    public async Task The_segment_log_store_resolves_from_services_and_opens_logs()
    {
        using var root = new TempDirectory();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamLocalStorage(o => o.RootPath = root.Path)
            .BuildServiceProvider();

        services.GetRequiredService<IStartupValidator>().Validate();
        var store = services.GetRequiredService<ISegmentLogStore>();
        await using var log = await store.OpenAsync("registered");
        await log.AppendAsync(Records.Batch(1, 2));

        Assert.IsType<LocalSegmentLogStore>(store);
        Assert.Equal(3, log.NextLsn);
        Assert.True(Directory.Exists(Path.Combine(root.Path, "logs", "registered")));
    }

    [Fact]
    public async Task The_payload_store_resolves_from_services_over_the_same_root()
    {
        using var root = new TempDirectory();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamLocalStorage(o => o.RootPath = root.Path)
            .BuildServiceProvider();

        var store = services.GetRequiredService<IPayloadStore>();
        var id = Guid.NewGuid();
        await store.StagePartAsync(id, 0, new byte[] { 1, 2, 3 });
        await store.CommitAsync(id, PayloadLayout.For(3, 10));

        Assert.IsType<LocalPayloadStore>(store);
        Assert.True(Directory.Exists(Path.Combine(root.Path, "payloads", id.ToString("N"))));
    }

    [Theory]
    [InlineData("", 1024 * 1024, "LocalStorageOptions.RootPath")]
    [InlineData("data", 10, "LocalStorageOptions.SegmentSizeBytes")]
    public void Invalid_options_fail_at_start_naming_the_key(string rootPath, long segmentSize, string key)
    {
        using var services = new ServiceCollection()
            .AddLogging()
            .AddTamTamLocalStorage(o =>
            {
                o.RootPath = rootPath;
                o.SegmentSizeBytes = segmentSize;
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_a_store_from_invalid_options_directly_also_names_the_key()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new LocalSegmentLogStore(
            new LocalStorageOptions { ReadBufferBytes = 1 },
            new StorageMetrics(),
            NullLogger<LocalSegmentLogStore>.Instance));

        Assert.Contains("LocalStorageOptions.ReadBufferBytes", error.Message, StringComparison.Ordinal);
    }
}
