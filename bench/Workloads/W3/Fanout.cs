using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W3;

/// <summary>
/// W3 fanout: one publisher node, <c>--subscribers</c> (10) subscriber nodes bound to one group port, 50,000
/// messages of 256 B. <c>acked</c>: SEND to the group port, each subscriber acknowledges each delivery, the
/// publisher keeps a window of SENDs awaiting ACCEPTED and a bound on unsettled messages, as W1 does.
/// <c>stream</c>: STREAM packets to the port, nothing acknowledged. The figure is total deliveries per
/// second (messages × subscribers received), from the first send to the last delivery.
/// </summary>
internal static class Fanout
{
    public const string Port = "w3";
    private const int DefaultMessages = 50_000;
    private const int WarmupMessages = 5_000;
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(Interchange interchange, WorkloadOptions options)
    {
        string mode = options.Mode ?? "both";
        if (mode is not ("acked" or "stream" or "both"))
        {
            throw new ArgumentException("w3 --mode takes acked, stream or both");
        }

        int status = 0;
        foreach (bool acked in mode == "both" ? [true, false] : (bool[])[mode == "acked"])
        {
            if (options.WarmupOr(WarmupMessages) is > 0 and int warmup)
            {
                await RunOnceAsync(interchange, options, acked, warmup, report: false);
            }

            status |= await RunOnceAsync(interchange, options, acked, options.MessagesOr(DefaultMessages), report: true);
        }

        return status;
    }

    private static async Task<int> RunOnceAsync(Interchange interchange, WorkloadOptions options, bool acked, int messages, bool report)
    {
        Uri uri = interchange.UriFor(options.Transport);
        string link = $"w3-{Guid.NewGuid():N}"[..11];
        using var setup = new CancellationTokenSource(SetupTimeout);
        var clientOptions = new TamTamClientOptions { Uri = uri, ClientName = "tamtam-bench/w3" };
        var subscribers = new List<TamTamClient>(options.Subscribers);
        TamTamClient? publisher = null;
        try
        {
            for (int i = 0; i < options.Subscribers; i++)
            {
                TamTamClient subscriber = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
                subscribers.Add(subscriber);
                await subscriber.JoinAsync(link, $"subscriber-{i}", setup.Token);
                await subscriber.BindAsync(Port, PortMode.Group, subtree: false, setup.Token);
            }

            publisher = await TamTamClient.ConnectAsync(clientOptions, setup.Token);
            await publisher.JoinAsync(link, "publisher", setup.Token);

            long expected = (long)messages * options.Subscribers;
            var counter = new DeliveryCounter(expected);
            var payloads = new RandomPayloads(options.PayloadBytes);
            using var limit = new CancellationTokenSource(options.Limit);
            var streams = new StreamCounter(expected);
            Task[] receiving = acked
                ? [.. subscribers.Select(s => counter.ReceiveAsync(s, messages, limit.Token))]
                : [.. subscribers.Select(s => streams.ReceiveAsync(s, messages, limit.Token))];
            var meter = new RunMeter(1);
            meter.Start();
            long start = Stopwatch.GetTimestamp();
            long refused = acked
                ? await SendAllAsync(publisher, messages, options, payloads, limit.Token)
                : await PublishAllAsync(publisher, messages, payloads, limit.Token);
            bool complete = await Workload.WaitAsync(acked ? counter.Finished : streams.Finished, limit.Token);
            meter.Settled(true);
            long last = acked ? counter.LastAt : streams.LastAt;
            double seconds = Stopwatch.GetElapsedTime(start, last == 0 ? Stopwatch.GetTimestamp() : last).TotalSeconds;
            await limit.CancelAsync();
            await Task.WhenAll(receiving);
            long delivered = acked ? counter.Received : streams.Received;
            if (!report)
            {
                await Console.Error.WriteLineAsync($"w3: warm-up ({(acked ? "acked" : "stream")}) of {messages} messages: {Math.Round(delivered / seconds)} deliveries/s (not reported)");
                return 0;
            }

            ResultLine.Print(new
            {
                Workload = "w3",
                Mode = acked ? "acked" : "stream",
                Transport = Interchange.TransportOf(uri),
                Server = interchange.Name,
                Messages = messages,
                Subscribers = options.Subscribers,
                Expected = expected,
                Delivered = delivered,
                Lost = acked ? (long?)null : streams.Lost,
                Refused = acked ? refused : publisher.StreamRefusals,
                Seconds = Math.Round(seconds, 3),
                DeliveriesPerS = Math.Round(delivered / seconds),
                MessagesPerS = Math.Round(delivered / seconds / options.Subscribers),
                CpuSeconds = Math.Round(meter.CpuSeconds, 3),
                CpuUsPerDelivery = delivered == 0 ? 0 : Math.Round(meter.CpuSeconds * 1e6 / delivered, 2),
                PayloadBytes = options.PayloadBytes,
                Complete = complete && delivered == expected,
                Settings = interchange.Settings,
                Date = Workload.Today,
            });
            return complete && delivered == expected ? 0 : 1;
        }
        finally
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync();
            }

            foreach (TamTamClient subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    private static async Task<long> PublishAllAsync(TamTamClient publisher, int messages, RandomPayloads payloads, CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; i < messages; i++)
            {
                await publisher.PublishAsync(Port, payloads.For(i), options: null, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The time cap: reported incomplete.
        }

        return 0;
    }

    /// <summary>SENDs with W1's window and outstanding bound; returns how many the server refused.</summary>
    private static async Task<long> SendAllAsync(TamTamClient publisher, int messages, WorkloadOptions options, RandomPayloads payloads,
        CancellationToken cancellationToken)
    {
        int window = options.Window > 0 ? options.Window : publisher.MaxInflight is 0 or > 1_024 ? 1_024 : (int)publisher.MaxInflight;
        using var unsettled = new SemaphoreSlim(options.Outstanding);
        var statuses = new List<Task>(messages);
        long refused = 0;
        int next = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(window, messages)).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < messages)
            {
                try
                {
                    await unsettled.WaitAsync(cancellationToken);
                    SendReceipt receipt = await publisher.SendAsync(Port, payloads.For(i), options: null, cancellationToken);
                    Task settled = receipt.Completion.ContinueWith(_ => unsettled.Release(), TaskScheduler.Default);
                    lock (statuses)
                    {
                        statuses.Add(settled);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception exception) when (exception is TamTamException or TimeoutException)
                {
                    unsettled.Release();
                    Interlocked.Increment(ref refused);
                }
            }
        }));
        return refused;
    }

    /// <summary>Counts acknowledged deliveries across the subscribers.</summary>
    private sealed class DeliveryCounter(long expected)
    {
        private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _received;
        private long _lastAt;

        public Task Finished => _finished.Task;

        public long Received => Interlocked.Read(ref _received);

        public long LastAt => Interlocked.Read(ref _lastAt);

        public async Task ReceiveAsync(TamTamClient client, int messages, CancellationToken cancellationToken)
        {
            int received = 0;
            try
            {
                await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
                {
                    await message.AckAsync(cancellationToken);
                    Volatile.Write(ref _lastAt, Stopwatch.GetTimestamp());
                    if (Interlocked.Increment(ref _received) == expected)
                    {
                        _finished.TrySetResult();
                    }

                    if (++received == messages)
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or TamTamConnectionException)
            {
                // Cut short: the figures say how far it came.
            }
        }
    }
}
