using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Grains.Links;
using TamTam.Storage;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests;

/// <summary>
/// The registry of a silo's warm-up links: a registered name gets its own store, and its removal waits for the link's
/// activation to close its logs. The warm-up itself, end to end, is in the end-to-end tests (WarmUpTests).
/// </summary>
public sealed class WarmUpLinksTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tamtam-grains-tests", "warm-up-" + Guid.NewGuid().ToString("N"));
    private readonly StorageMetrics _metrics = new();
    private LocalSegmentLogStore _durable = null!;
    private LocalSegmentLogStore _scratch = null!;

    public Task InitializeAsync()
    {
        _durable = new LocalSegmentLogStore(new LocalStorageOptions { RootPath = Path.Combine(_root, "durable") }, _metrics, NullLogger<LocalSegmentLogStore>.Instance);
        _scratch = new LocalSegmentLogStore(new LocalStorageOptions { RootPath = Path.Combine(_root, "scratch") }, _metrics, NullLogger<LocalSegmentLogStore>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _durable.DisposeAsync();
        await _scratch.DisposeAsync();
        _metrics.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Names_are_the_prefix_and_32_hex_digits_and_never_repeat()
    {
        string a = WarmUpLinks.NewName();
        string b = WarmUpLinks.NewName();
        Assert.Matches("^tamtam-warm-up-[0-9a-f]{32}$", a);
        Assert.NotEqual(a, b);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(a) <= 64);
    }

    [Fact]
    public void A_registered_link_gets_its_own_store_and_any_other_link_the_durable_one()
    {
        var links = new WarmUpLinks();
        string name = WarmUpLinks.NewName();
        links.Add(name, _scratch);

        Assert.Same(_scratch, links.StoreFor(name, _durable, out bool warmUp));
        Assert.True(warmUp);
        Assert.Same(_durable, links.StoreFor("billing", _durable, out warmUp));
        Assert.False(warmUp);
        Assert.Throws<InvalidOperationException>(() => links.Add(name, _scratch));
    }

    [Fact]
    public async Task Removal_waits_for_the_activation_to_close_its_logs()
    {
        var links = new WarmUpLinks();
        string name = WarmUpLinks.NewName();
        links.Add(name, _scratch);
        links.StoreFor(name, _durable, out _);

        Task removal = links.RemoveAsync(name, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(removal.IsCompleted);
        Assert.True(links.Contains(name));

        links.Closed(name);
        await removal.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(links.Contains(name));

        // From now on the name is any link's: an activation of it would use the durable store.
        Assert.Same(_durable, links.StoreFor(name, _durable, out bool warmUp));
        Assert.False(warmUp);
    }

    [Fact]
    public async Task Removal_of_a_link_never_activated_is_immediate_and_a_cancelled_one_keeps_the_name()
    {
        var links = new WarmUpLinks();
        string idle = WarmUpLinks.NewName();
        links.Add(idle, _scratch);
        await links.RemoveAsync(idle, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(links.Contains(idle));

        string open = WarmUpLinks.NewName();
        links.Add(open, _scratch);
        links.StoreFor(open, _durable, out _);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => links.RemoveAsync(open, cancel.Token));

        // Still open: it keeps its own store rather than fall back to the durable one under a live activation.
        Assert.True(links.Contains(open));
    }
}
