using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Client;

/// <summary>
/// <see cref="TamTamClient.RequestAsync"/> and <see cref="TamTamClient.ReplyAsync"/> on a real silo over TCP
/// (docs/protocol.md section 5.10.1): replies find their requests, time out, are cancelled, and come late.
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class RequestReplyTests(SharedSiloFixture silo)
{
    private const string Service = "echo/upper";

    [Fact]
    public async Task A_request_returns_the_reply_of_the_node_that_served_it_and_the_reply_never_reaches_the_receive_loop()
    {
        string link = Links.Unique("rr");
        await using TamTamClient replier = await Nodes.ListenAsync(silo.Uri, link, "upper-1", Service);
        Task serving = ServeAsync(replier, request => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(request.Payload.Span).ToUpperInvariant()));
        await using TamTamClient requester = await Nodes.JoinAsync(silo.Uri, link, "web-1");
        var surfaced = new ConcurrentQueue<IncomingMessage>();
        using var stop = new CancellationTokenSource();
        Task watching = WatchAsync(requester, surfaced, stop.Token);
        var id = Guid.CreateVersion7();

        IncomingMessage reply = await requester.RequestAsync(Service, "hello"u8.ToArray(), TimeSpan.FromSeconds(10), new SendOptions { MessageId = id }).Within();

        Assert.Equal("HELLO", Encoding.UTF8.GetString(reply.Payload.Span));
        Assert.Equal((link, "upper-1", ReplyPorts.For("web-1")), (reply.SourceLink, reply.SourceNode, reply.Port));
        Assert.Equal(id, reply.CorrelationId);
        Assert.True(reply.IsReply);
        Assert.Equal(FinalState.Delivered, (await requester.WaitForStatusAsync(id).Within()).State);
        await stop.CancelAsync();
        await watching.Within();
        Assert.Empty(surfaced);
        await replier.DisposeAsync();
        await serving.Within();
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_reply_when_replies_come_in_another_order()
    {
        const int count = 40;
        string link = Links.Unique("rr-many");
        await using TamTamClient replier = await Nodes.ListenAsync(silo.Uri, link, "batcher", Service);
        Task serving = ServeInReverseAsync(replier, count);
        await using TamTamClient requester = await Nodes.JoinAsync(silo.Uri, link, "web-1");

        Task<IncomingMessage>[] requests = [.. Enumerable.Range(0, count)
            .Select(i => requester.RequestAsync(Service, Encoding.UTF8.GetBytes($"n{i}"), TimeSpan.FromSeconds(20)))];
        IncomingMessage[] replies = await Task.WhenAll(requests).Within(TimeSpan.FromSeconds(30));

        for (int i = 0; i < count; i++)
        {
            Assert.Equal($"N{i}", Encoding.UTF8.GetString(replies[i].Payload.Span));
        }

        await serving.Within();
    }

    [Fact]
    public async Task A_request_times_out_and_its_late_reply_is_acknowledged_and_dropped_with_a_log_line()
    {
        string link = Links.Unique("rr-late");
        await using TamTamClient replier = await Nodes.ListenAsync(silo.Uri, link, "slow", Service);
        var log = new LateReplyLog();
        await using TamTamClient requester = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = silo.Uri,
            Reconnect = ReconnectOptions.Disabled,
            LoggerFactory = log,
        }).Within();
        await requester.JoinAsync(link, "web-1").Within();
        var surfaced = new ConcurrentQueue<IncomingMessage>();
        using var stop = new CancellationTokenSource();
        Task watching = WatchAsync(requester, surfaced, stop.Token);
        await using IAsyncEnumerator<IncomingMessage> requests = replier.ReceiveAsync().GetAsyncEnumerator();

        Task<IncomingMessage> waiting = requester.RequestAsync(Service, "late"u8.ToArray(), TimeSpan.FromMilliseconds(500), new SendOptions { Ttl = TimeSpan.FromMinutes(1) });
        Assert.True(await requests.MoveNextAsync().AsTask().Within());
        await Assert.ThrowsAsync<TimeoutException>(() => waiting.Within());
        SendReceipt late = await replier.ReplyAsync(requests.Current, "too late"u8.ToArray()).Within();
        await requests.Current.AckAsync();

        Assert.Equal(FinalState.Delivered, (await late.Completion.Within()).State);
        Assert.Equal(late.MessageId, await log.Dropped.Task.Within());
        await stop.CancelAsync();
        await watching.Within();
        Assert.Empty(surfaced);
    }

    [Fact]
    public async Task A_cancelled_request_stops_waiting_and_a_rejected_one_fails_with_its_status()
    {
        string link = Links.Unique("rr-end");
        await using TamTamClient replier = await Nodes.ListenAsync(silo.Uri, link, "picky", Service);
        await using TamTamClient requester = await Nodes.JoinAsync(silo.Uri, link, "web-1");
        await using IAsyncEnumerator<IncomingMessage> requests = replier.ReceiveAsync().GetAsyncEnumerator();

        using var cancel = new CancellationTokenSource();
        Task<IncomingMessage> cancelled = requester.RequestAsync(Service, "a"u8.ToArray(), TimeSpan.FromSeconds(30), cancellationToken: cancel.Token);
        Assert.True(await requests.MoveNextAsync().AsTask().Within());
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Within());
        await requests.Current.AckAsync();

        Task<IncomingMessage> rejected = requester.RequestAsync(Service, "b"u8.ToArray(), TimeSpan.FromSeconds(30));
        Assert.True(await requests.MoveNextAsync().AsTask().Within());
        await requests.Current.NackAsync(detail: "not today");
        TamTamRequestException failure = await Assert.ThrowsAsync<TamTamRequestException>(() => rejected.Within());
        Assert.Equal(FinalState.Rejected, failure.Status.State);
    }

    [Fact]
    public async Task Replying_to_a_message_that_is_not_a_request_is_refused_locally()
    {
        string link = Links.Unique("rr-plain");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Service);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        await using IAsyncEnumerator<IncomingMessage> inbox = receiver.ReceiveAsync().GetAsyncEnumerator();

        await sender.SendAsync(Service, "plain"u8.ToArray()).Within();
        Assert.True(await inbox.MoveNextAsync().AsTask().Within());

        Assert.False(inbox.Current.IsRequest);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await receiver.ReplyAsync(inbox.Current, "x"u8.ToArray()));
        await inbox.Current.AckAsync();
    }

    private static async Task ServeAsync(TamTamClient replier, Func<IncomingMessage, byte[]> answer)
    {
        try
        {
            await foreach (IncomingMessage request in replier.ReceiveAsync())
            {
                await replier.ReplyAsync(request, answer(request));
                await request.AckAsync();
            }
        }
        catch (TamTamConnectionException)
        {
            // Disposed mid-request: the test has its answers.
        }
    }

    private static async Task ServeInReverseAsync(TamTamClient replier, int count)
    {
        var held = new List<IncomingMessage>();
        await foreach (IncomingMessage request in replier.ReceiveAsync())
        {
            held.Add(request);
            if (held.Count == count)
            {
                break;
            }
        }

        for (int i = held.Count - 1; i >= 0; i--)
        {
            await replier.ReplyAsync(held[i], Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(held[i].Payload.Span).ToUpperInvariant()));
            await held[i].AckAsync();
        }
    }

    private static async Task WatchAsync(TamTamClient client, ConcurrentQueue<IncomingMessage> surfaced, CancellationToken stop)
    {
        try
        {
            await foreach (IncomingMessage message in client.ReceiveAsync(stop))
            {
                surfaced.Enqueue(message);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Completes with the reply's message id when the client logs event 5050.</summary>
    private sealed class LateReplyLog : ILoggerFactory, ILogger
    {
        public TaskCompletionSource<Guid> Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 5050 && state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                foreach (KeyValuePair<string, object?> field in fields)
                {
                    if (field.Key == "MessageId" && field.Value is Guid id)
                    {
                        Dropped.TrySetResult(id);
                    }
                }
            }
        }
    }
}
