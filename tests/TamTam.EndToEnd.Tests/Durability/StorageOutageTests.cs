using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Silo;
using TamTam.Storage;
using TamTam.Storage.Local;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// A consumer's ACK that the link cannot make durable (a full disk) is answered ERROR 501 through the gateway; the SDK
/// reports it and keeps the message settled, so the redelivery after the outage is acknowledged again without the
/// application seeing the message twice.
/// </summary>
public sealed class StorageOutageTests
{
    private const string Port = "jobs";

    [Fact]
    public async Task Ack_the_link_could_not_store_is_refused_501_and_its_redelivery_is_not_shown_again()
    {
        using var data = new DataDirectory();
        var logs = new SwitchableLogs();
        WebApplicationBuilder builder = TamTamSilo.CreateBuilder(
            [.. SiloArguments.For(data.Path), "--TamTam:Links:StorageProbeDelay=00:00:00.100", "--TamTam:Links:StorageProbeMaxDelay=00:00:00.500"]);
        builder.Services.AddSingleton<ISegmentLogStore>(sp => logs.Over(sp.GetRequiredService<LocalSegmentLogStore>()));
        await using TamTamSilo silo = await TamTamSilo.StartAsync(builder).Within(TestTimeout.Batch);
        var uri = new Uri($"tamtam://127.0.0.1:{silo.TcpEndPoint.Port}");
        string link = Links.Unique("full-disk");

        await using TamTamClient consumer = await Nodes.ListenAsync(uri, link, "consumer", Port);
        await using TamTamClient producer = await Nodes.JoinAsync(uri, link, "producer");
        var refused = new TaskCompletionSource<TamTamAcknowledgementFailedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.AcknowledgementFailed += (_, args) => refused.TrySetResult(args);
        await using IAsyncEnumerator<IncomingMessage> inbox = consumer.ReceiveAsync().GetAsyncEnumerator();

        SendReceipt first = await producer.SendAsync(Port, Nodes.Payload(64)).Within();
        Assert.True(await inbox.MoveNextAsync().AsTask().Within());
        Assert.Equal(first.MessageId, inbox.Current.MessageId);

        logs.Failing = true;
        await inbox.Current.AckAsync();
        TamTamAcknowledgementFailedEventArgs failure = await refused.Task.Within();
        Assert.Equal(first.MessageId, failure.MessageId);
        Assert.Equal(ErrorCode.Unavailable, failure.Error.Code);

        // The storage comes back: the link replays its log, the message is delivered again and acknowledged again
        // by the SDK, and the application's next message is the next one sent.
        logs.Failing = false;
        MessageStatus status = await producer.WaitForStatusAsync(first.MessageId).AsTask().Within(TestTimeout.Batch);
        Assert.Equal(FinalState.Delivered, status.State);
        SendReceipt second = await producer.SendAsync(Port, Nodes.Payload(64)).Within(TestTimeout.Batch);
        Assert.True(await inbox.MoveNextAsync().AsTask().Within(TestTimeout.Batch));
        Assert.Equal(second.MessageId, inbox.Current.MessageId);
        await inbox.Current.AckAsync();
    }

    /// <summary>The silo's log store, whose appends fail as on a full disk while <see cref="Failing"/>.</summary>
    private sealed class SwitchableLogs
    {
        private volatile bool _failing;

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }

        public ISegmentLogStore Over(ISegmentLogStore inner) => new Store(this, inner);

        private sealed class Store(SwitchableLogs owner, ISegmentLogStore inner) : ISegmentLogStore
        {
            public async ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default) =>
                new Log(owner, await inner.OpenAsync(name, cancellationToken));
        }

        private sealed class Log(SwitchableLogs owner, ISegmentLog inner) : ISegmentLog
        {
            public string Name => inner.Name;

            public long FirstLsn => inner.FirstLsn;

            public long NextLsn => inner.NextLsn;

            public long ActiveSegmentFirstLsn => inner.ActiveSegmentFirstLsn;

            public ValueTask<long> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken = default) =>
                owner.Failing && Name.StartsWith("links/", StringComparison.Ordinal)
                    ? ValueTask.FromException<long>(new IOException("No space left on device"))
                    : inner.AppendAsync(records, cancellationToken);

            public IAsyncEnumerable<LogRecord> ReadAsync(long fromLsn, CancellationToken cancellationToken = default) => inner.ReadAsync(fromLsn, cancellationToken);

            public ValueTask TruncateBeforeAsync(long lsn, CancellationToken cancellationToken = default) => inner.TruncateBeforeAsync(lsn, cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
