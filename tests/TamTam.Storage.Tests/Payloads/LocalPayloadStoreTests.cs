using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Storage.Local;
using TamTam.Storage.Payloads;
using TamTam.Storage.Tests.Support;

namespace TamTam.Storage.Tests.Payloads;

/// <summary>The payload-store contract on a local directory, plus what only a local directory has.</summary>
public sealed class LocalPayloadStoreTests : PayloadStoreContract
{
    private readonly TempDirectory _root = new();

    protected override IPayloadStore CreateStore() => NewLocalStore();

    public override Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    // Each part's record in the data file: a 24-byte header, then the part's bytes.
    private const int RecordHeader = 24;

    [Fact]
    public async Task Parts_go_to_one_data_file_of_records_beside_a_manifest_in_a_directory_per_transfer()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(store, id, payload);
        await store.CommitAsync(id, Layout(payload));

        var directory = store.GetPayloadDirectory(id);
        Assert.Equal(Path.Combine(_root.Path, "payloads", id.ToString("N")), directory);
        Assert.Equal(["data", "manifest"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2500 + (3 * RecordHeader), new FileInfo(Path.Combine(directory, "data")).Length);
    }

    [Fact]
    public async Task A_part_sent_again_with_the_same_bytes_does_not_grow_the_data_file()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAsync(store, id, payload, 0);
        await StageAsync(store, id, payload, 1);
        var data = Path.Combine(store.GetPayloadDirectory(id), "data");
        var length = new FileInfo(data).Length;

        // Again through the same store, all at once, and through a new one (after a restart).
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => StageAsync(store, id, payload, 1)));
        await StageAsync(NewLocalStore(), id, payload, 0);

        Assert.Equal(length, new FileInfo(data).Length);
        await StageAsync(store, id, payload, 2);
        await store.CommitAsync(id, Layout(payload));
        Assert.Equal(2500 + (3 * RecordHeader), new FileInfo(data).Length);
        Assert.Equal(payload, await ReadAllAsync(NewLocalStore(), id, payload.Length, chunk: 900));
    }

    [Theory]
    [InlineData(1, "a header cut short")]
    [InlineData(RecordHeader + 500, "bytes cut short")]
    [InlineData(-1, "a whole record whose bytes do not match its CRC")]
    public async Task A_record_torn_by_a_crash_is_cut_off_when_the_next_part_is_written_in_its_place(int tornLength, string what)
    {
        Assert.NotEmpty(what);
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        var payload = Payload(3000);
        await StageAsync(store, id, payload, 0);
        var data = Path.Combine(store.GetPayloadDirectory(id), "data");
        var acknowledged = new FileInfo(data).Length;

        // Part 1's record as a crash may leave it: written in part, or whole but with pages that never reached the disk.
        await StageAsync(NewLocalStore(), id, payload, 1);
        var record = (await File.ReadAllBytesAsync(data))[(int)acknowledged..];
        if (tornLength < 0)
        {
            record[^1] ^= 0xFF;
        }
        else
        {
            record = record[..tornLength];
        }

        await using (var file = new FileStream(data, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(acknowledged);
            file.Position = acknowledged;
            await file.WriteAsync(record);
        }

        var reopened = NewLocalStore();
        Assert.Equal([0], await reopened.GetStagedPartsAsync(id));

        // Looking cuts nothing (the bytes may be another store's write in progress); staging the next part does.
        Assert.Equal(acknowledged + record.Length, new FileInfo(data).Length);
        await StageAsync(reopened, id, payload, 1);
        await StageAsync(reopened, id, payload, 2);
        await reopened.CommitAsync(id, Layout(payload));

        Assert.Equal(3000 + (3 * RecordHeader), new FileInfo(data).Length);
        Assert.Equal(payload, await ReadAllAsync(NewLocalStore(), id, payload.Length, chunk: 1100));
    }

    [Fact]
    public async Task An_upload_staged_by_the_data_and_journal_format_loses_its_journal_once_staged_again()
    {
        // What the earlier format left of an upload it staged but did not commit: the parts' bytes alone in "data",
        // and a journal ("parts") of where each one is. This format reads none of it: the parts are sent again.
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        var directory = store.GetPayloadDirectory(id);
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "data"), payload.AsMemory(0, 2 * PartSize).ToArray());
        var journal = Path.Combine(directory, "parts");
        await File.WriteAllBytesAsync(journal, new byte[2 * 24]);

        // Looking at the upload changes nothing; staging a part of it removes the journal with the old bytes.
        Assert.Empty(await store.GetStagedPartsAsync(id));
        Assert.True(File.Exists(journal));
        await StageAsync(store, id, payload, 0);
        Assert.False(File.Exists(journal));

        await StageAsync(store, id, payload, 1);
        await StageAsync(store, id, payload, 2);
        await store.CommitAsync(id, Layout(payload));
        Assert.Equal(["data", "manifest"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(payload, await ReadAllAsync(NewLocalStore(), id, payload.Length, chunk: 900));
    }

    [Fact]
    public async Task Staging_another_payload_goes_on_while_a_data_file_is_read_back()
    {
        var id = Guid.NewGuid();
        var payload = Payload(2500);
        await StageAllAsync(NewLocalStore(), id, payload);

        // After a restart the store knows nothing of the payload and reads its data file back; the read-back is
        // held at its start (where the store says it reads back) until the other payload's part is staged.
        var data = Path.Combine(NewLocalStore().GetPayloadDirectory(id), "data");
        using var readBack = new HoldingLogger(message => message.Contains(data, StringComparison.Ordinal));
        var restarted = new LocalPayloadStore(new LocalStorageOptions { RootPath = _root.Path }, readBack);
        try
        {
            Task<IReadOnlyList<int>> listing = restarted.GetStagedPartsAsync(id).AsTask();
            await readBack.Holding.WaitAsync(Timeout);

            // From another thread: a store that held up the part would hold up the thread that stages it.
            var other = Guid.NewGuid();
            await Task.Run(() => restarted.StagePartAsync(other, 0, Payload(PartSize)).AsTask()).WaitAsync(Timeout);
            Assert.False(listing.IsCompleted);
            Assert.Equal([0], await restarted.GetStagedPartsAsync(other).AsTask().WaitAsync(Timeout));

            readBack.Release();
            Assert.Equal([0, 1, 2], await listing.WaitAsync(Timeout));
        }
        finally
        {
            readBack.Release();
        }
    }

    [Fact]
    public async Task Deleting_removes_the_transfer_directory()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        await StageAllAsync(store, id, Payload(1500));

        await store.DeleteAsync(id);

        Assert.False(Directory.Exists(store.GetPayloadDirectory(id)));
        Assert.Empty(Directory.GetFileSystemEntries(store.PayloadsPath));
    }

    [Fact]
    public async Task A_new_store_sweeps_leftovers_of_interrupted_writes_and_deletes()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        var payload = Payload(1500);
        await StageAllAsync(store, id, payload);
        var temporary = Path.Combine(store.GetPayloadDirectory(id), "~0123456789abcdef.tmp");
        await File.WriteAllBytesAsync(temporary, [1, 2, 3]);
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow - TimeSpan.FromHours(1));

        // Being written by another store over the same directory (another silo): fresh, so left alone.
        var inFlight = Path.Combine(store.GetPayloadDirectory(id), "~fedcba9876543210.tmp");
        await File.WriteAllBytesAsync(inFlight, [4, 5, 6]);
        var halfDeleted = Path.Combine(store.PayloadsPath, "~" + Guid.NewGuid().ToString("N") + "-x.deleting");
        Directory.CreateDirectory(halfDeleted);
        await File.WriteAllBytesAsync(Path.Combine(halfDeleted, "0000000000.part"), [1]);

        var reopened = NewLocalStore();
        await reopened.StagePartAsync(Guid.NewGuid(), 0, new byte[1]);

        Assert.False(File.Exists(temporary));
        Assert.True(File.Exists(inFlight));
        Assert.False(Directory.Exists(halfDeleted));
        Assert.Equal([0, 1], await reopened.GetStagedPartsAsync(id));
    }

    [Fact]
    public async Task A_damaged_manifest_is_reported_not_read_as_missing()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        await StageAllAsync(store, id, Payload(1500));
        await store.CommitAsync(id, PayloadLayout.For(1500, PartSize));
        var manifest = Path.Combine(store.GetPayloadDirectory(id), LocalPayloadStore.ManifestFileName);
        var bytes = await File.ReadAllBytesAsync(manifest);
        bytes[9] ^= 0xFF;
        await File.WriteAllBytesAsync(manifest, bytes);

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await store.ReadAsync(id, 0, new byte[10]));
        Assert.Equal(manifest, error.Path);
    }

    [Fact]
    public async Task A_data_file_shorter_than_committed_is_reported_as_corruption()
    {
        var store = NewLocalStore();
        var id = Guid.NewGuid();
        await StageAllAsync(store, id, Payload(1500));
        await store.CommitAsync(id, PayloadLayout.For(1500, PartSize));
        var part = Path.Combine(store.GetPayloadDirectory(id), "data");
        await using (var file = new FileStream(part, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(1100);
        }

        var error = await Assert.ThrowsAsync<StorageCorruptionException>(async () => await store.ReadAsync(id, 1000, new byte[500]));
        Assert.Equal(part, error.Path);
    }

    // How long a test waits for what must happen; only reached when it does not.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private LocalPayloadStore NewLocalStore() =>
        new(new LocalStorageOptions { RootPath = _root.Path }, NullLogger<LocalPayloadStore>.Instance);

    /// <summary>A store's logger that holds the thread logging the first message <c>holds</c> picks until released.</summary>
    private sealed class HoldingLogger(Func<string, bool> holds) : ILogger<LocalPayloadStore>, IDisposable
    {
        private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _released = new();

        /// <summary>Completes once a thread is held.</summary>
        public Task Holding => _holding.Task;

        public void Release() => _released.Set();

        public void Dispose() => _released.Dispose();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (holds(formatter(state, exception)) && _holding.TrySetResult())
            {
                // Longer than any wait of the test: released by the test, even when it fails.
                _released.Wait(4 * Timeout);
            }
        }
    }
}
