using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Blob;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Logs;

/// <summary>
/// Opening a log whose lease another writer holds (Azurite): the opener waits, within <see cref="BlobStorageOptions.LeaseWait"/>,
/// for the writer to close the log or to be declared dead, and takes the log over as soon as either happens.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobLeaseWaitTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly BlobStorageOptions _options = azurite.NewOptions();
    private readonly StorageMetrics _metrics = new();

    [Fact]
    public async Task An_opener_waits_for_the_writer_to_close_the_log_and_then_opens_it()
    {
        string name = "wait-close-" + Guid.NewGuid().ToString("N")[..8];
        ISegmentLog log = await Store(TimeSpan.FromSeconds(15)).OpenAsync(name);
        await log.AppendAsync(Records.Batch(1, 2));

        Task<ISegmentLog> opening = Store(TimeSpan.FromSeconds(15)).OpenAsync(name).AsTask();
        await Task.Delay(300);
        Assert.False(opening.IsCompleted, "the second opener got a log that is still open elsewhere");

        await log.DisposeAsync();
        await using ISegmentLog successor = await opening.WaitAsync(Patience);
        Assert.Equal(3, successor.NextLsn);
    }

    [Fact]
    public async Task A_held_lease_is_broken_as_soon_as_its_holder_is_declared_dead_while_the_opener_waits()
    {
        string name = "wait-death-" + Guid.NewGuid().ToString("N")[..8];
        var membership = new Membership();
        ISegmentLog stale = await Store(TimeSpan.FromSeconds(15), membership.As("silo-a")).OpenAsync(name);
        await stale.AppendAsync(Records.Batch(1, 2));

        Task<ISegmentLog> opening = Store(TimeSpan.FromSeconds(15), membership.As("silo-b")).OpenAsync(name).AsTask();
        await Task.Delay(300);
        Assert.False(opening.IsCompleted, "the lease of a live holder was taken");
        Assert.True(membership.Asked > 0, "the opener never asked whether the holder is dead");

        membership.Declare("silo-a");
        await using ISegmentLog successor = await opening.WaitAsync(Patience);
        Assert.Equal(3, await successor.AppendAsync(Records.Batch(3, 1)));
        await Assert.ThrowsAnyAsync<Exception>(async () => await stale.AppendAsync(Records.Batch(100, 1)));
        await stale.DisposeAsync();
    }

    [Fact]
    public async Task A_lease_still_held_at_the_end_of_the_wait_is_refused_naming_the_wait()
    {
        string name = "wait-refused-" + Guid.NewGuid().ToString("N")[..8];
        var membership = new Membership();
        await using ISegmentLog log = await Store(TimeSpan.FromSeconds(15), membership.As("silo-a")).OpenAsync(name);

        IOException refused = await Assert.ThrowsAsync<IOException>(
            async () => await Store(TimeSpan.FromMilliseconds(500), membership.As("silo-b")).OpenAsync(name));
        Assert.Contains("still after 00:00:00.5", refused.Message, StringComparison.Ordinal);
        Assert.True(membership.Asked > 1, $"the opener asked about the holder {membership.Asked} time(s) while it waited");
    }

    private BlobSegmentLogStore Store(TimeSpan wait, ILeaseHolderLiveness? liveness = null) =>
        new(_options with { LeaseWait = wait }, _metrics, NullLogger<BlobSegmentLogStore>.Instance, liveness);

    /// <summary>The cluster's view of who is dead, shared by the holders it names (as Orleans membership is by silos).</summary>
    private sealed class Membership
    {
        private readonly HashSet<string> _dead = [];
        private int _asked;

        public int Asked => Volatile.Read(ref _asked);

        public void Declare(string holder)
        {
            lock (_dead)
            {
                _dead.Add(holder);
            }
        }

        public ILeaseHolderLiveness As(string self) => new Holder(this, self);

        private sealed class Holder(Membership membership, string self) : ILeaseHolderLiveness
        {
            public string Self => self;

            public ValueTask<bool> IsDeadAsync(string holder, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref membership._asked);
                lock (membership._dead)
                {
                    return ValueTask.FromResult(membership._dead.Contains(holder));
                }
            }
        }
    }
}
