using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Testing.Cluster;

/// <summary>
/// Acknowledged unicast traffic on one link (W1's shape): a producer node sending without pause, a window of SENDs
/// awaiting ACCEPTED, and a consumer node on another silo that processes each message id once and acknowledges it.
/// It records what a failover must keep: every ACCEPTED id, every id the application was handed (and any handed
/// twice), every send refused and why, and when each ACCEPTED came for a SEND issued when.
/// </summary>
internal sealed class LinkTraffic : IAsyncDisposable
{
    public const string Port = "work";

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, SendReceipt> _accepted = [];
    private readonly HashSet<Guid> _processed = [];
    private readonly List<Guid> _processedTwice = [];
    private readonly Dictionary<string, int> _refusals = [];
    private readonly List<(long IssuedAt, long AcceptedAt)> _accepts = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly int _payloadSize;
    private TaskCompletionSource? _caughtUp;
    private Task _producing = Task.CompletedTask;
    private Task _consuming = Task.CompletedTask;

    private readonly ClientLogRecorder _producerLog;
    private readonly ClientLogRecorder _consumerLog;

    private int _reconnections;

    private LinkTraffic(string link, TamTamClient producer, ClientLogRecorder producerLog, TamTamClient consumer, ClientLogRecorder consumerLog, int payloadSize)
    {
        producer.Reconnected += (_, _) => Interlocked.Increment(ref _reconnections);
        consumer.Reconnected += (_, _) => Interlocked.Increment(ref _reconnections);
        _producerLog = producerLog;
        _consumerLog = consumerLog;
        Link = link;
        Producer = producer;
        Consumer = consumer;
        _payloadSize = payloadSize;
    }

    public string Link { get; }

    /// <summary>Where its clients started.</summary>
    public string Silos { get; private init; } = string.Empty;

    public TamTamClient Producer { get; }

    public TamTamClient Consumer { get; }

    /// <summary>How many times its producer and its consumer reconnected so far.</summary>
    public int Reconnections => Volatile.Read(ref _reconnections);

    /// <summary>Reconnection attempts of its producer and its consumer the server answered 500 INTERNAL.</summary>
    public int InternalErrors => _producerLog.InternalErrors + _consumerLog.InternalErrors;

    /// <summary>Messages ACCEPTED so far.</summary>
    public int AcceptedCount
    {
        get
        {
            lock (_gate)
            {
                return _accepted.Count;
            }
        }
    }

    /// <summary>Messages the application processed so far (each id once).</summary>
    public int ProcessedCount
    {
        get
        {
            lock (_gate)
            {
                return _processed.Count;
            }
        }
    }

    /// <summary>Ids the application was handed a second time.</summary>
    public IReadOnlyList<Guid> ProcessedTwice
    {
        get
        {
            lock (_gate)
            {
                return [.. _processedTwice];
            }
        }
    }

    /// <summary>SENDs that got no ACCEPTED, by error code (or exception type).</summary>
    public IReadOnlyDictionary<string, int> Refusals
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_refusals);
            }
        }
    }

    /// <summary>ACCEPTED ids the application has not processed.</summary>
    public IReadOnlyList<Guid> Unprocessed
    {
        get
        {
            lock (_gate)
            {
                return [.. _accepted.Keys.Where(id => !_processed.Contains(id))];
            }
        }
    }

    /// <summary>
    /// Opens the link: the consumer bound on <paramref name="endpoints"/>[<paramref name="consumerSilo"/>], the producer on
    /// [<paramref name="producerSilo"/>], each trying the other silos after its own.
    /// </summary>
    public static async Task<LinkTraffic> OpenAsync(IReadOnlyList<Uri> endpoints, string link, int producerSilo, int consumerSilo, int payloadSize = 256)
    {
        var consumerLog = new ClientLogRecorder($"{link}-consumer");
        var producerLog = new ClientLogRecorder($"{link}-producer");
        TamTamClient consumer = await ClusterClients.JoinAsync(endpoints, consumerSilo, link, "consumer", consumerLog).ConfigureAwait(false);
        TamTamClient? producer = null;
        try
        {
            await consumer.BindAsync(Port, PortMode.Unicast).ConfigureAwait(false);
            producer = await ClusterClients.JoinAsync(endpoints, producerSilo, link, "producer", producerLog).ConfigureAwait(false);
            return new LinkTraffic(link, producer, producerLog, consumer, consumerLog, payloadSize) { Silos = $"producer on silo {producerSilo}, consumer on silo {consumerSilo}" };
        }
        catch
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            if (producer is not null)
            {
                await producer.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Starts consuming, and producing with <paramref name="window"/> SENDs awaiting ACCEPTED, until <see cref="StopProducingAsync"/>.</summary>
    public void Start(int window)
    {
        _consuming = Task.Run(ConsumeAsync);
        _producing = Task.Run(() => ProduceAsync(window, _stop.Token));
    }

    /// <summary>Stops sending and waits for the SENDs in flight to be answered (or refused).</summary>
    public async Task StopProducingAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _producing.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"link {Link}: SENDs in flight got no answer within {timeout} of the producer stopping", ex);
        }
    }

    /// <summary>Completes when the application has processed every ACCEPTED message; a <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilProcessedAsync(TimeSpan timeout)
    {
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_accepted.Keys.All(_processed.Contains))
            {
                return;
            }

            _caughtUp = caughtUp;
        }

        await caughtUp.Task.WaitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>The final status of every ACCEPTED message, as the producer learns it, within <paramref name="timeout"/>; missing ones are absent.</summary>
    public async Task<IReadOnlyList<MessageStatus>> FinalStatesAsync(TimeSpan timeout)
    {
        SendReceipt[] receipts;
        lock (_gate)
        {
            receipts = [.. _accepted.Values];
        }

        using var deadline = new CancellationTokenSource(timeout);
        Task<MessageStatus?>[] waits = [.. receipts.Select(r => StatusOrNothingAsync(r, deadline.Token))];
        MessageStatus?[] statuses = await Task.WhenAll(waits).ConfigureAwait(false);
        return [.. statuses.OfType<MessageStatus>()];
    }

    private static async Task<MessageStatus?> StatusOrNothingAsync(SendReceipt receipt, CancellationToken deadline)
    {
        try
        {
            return await receipt.WaitForCompletionAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not within the bound: counted as missing.
            return null;
        }
        catch (TamTamConnectionException)
        {
            // The producer's client ended: the status is lost to it (counted as missing).
            return null;
        }
    }

    /// <summary>
    /// The first ACCEPTED for a SEND issued at or after <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp), as a
    /// timestamp; <see langword="null"/> if none yet.
    /// </summary>
    public long? FirstAcceptIssuedAfter(long since)
    {
        lock (_gate)
        {
            long? first = null;
            foreach ((long issued, long accepted) in _accepts)
            {
                if (issued >= since && (first is null || accepted < first))
                {
                    first = accepted;
                }
            }

            return first;
        }
    }

    /// <summary>The link and its clients' state, for failure messages.</summary>
    public string Describe() =>
        $"{Link} ({Silos}; producer connected {Producer.IsConnected}, resumed {Producer.IsResumed}, refused [{TrafficOutcome.Describe(Refusals)}], "
        + $"its log: {_producerLog.Last}; consumer connected {Consumer.IsConnected}, resumed {Consumer.IsResumed}, its log: {_consumerLog.Last})";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Producer.DisposeAsync().ConfigureAwait(false);
        await Consumer.DisposeAsync().ConfigureAwait(false);
        _producerLog.Dispose();
        _consumerLog.Dispose();
        try
        {
            await Task.WhenAll(_producing, _consuming).WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or TamTamException or ObjectDisposedException or OperationCanceledException)
        {
            // Ending the clients ends the loops; how they end does not matter any more.
        }

        _stop.Dispose();
    }

    private async Task ProduceAsync(int window, CancellationToken stop)
    {
        using var slots = new SemaphoreSlim(window);
        var inFlight = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await slots.WaitAsync(stop).ConfigureAwait(false);
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.Add(SendOneAsync(slots));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    private async Task SendOneAsync(SemaphoreSlim slots)
    {
        byte[] payload = new byte[_payloadSize];
        Random.Shared.NextBytes(payload);
        long issued = Stopwatch.GetTimestamp();
        try
        {
            SendReceipt receipt = await Producer.SendAsync(Port, payload).ConfigureAwait(false);
            long acceptedAt = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                _accepted[receipt.MessageId] = receipt;
                _accepts.Add((issued, acceptedAt));
            }
        }
        catch (TamTamException ex)
        {
            Refuse(ex.Code.ToString());

            // A refused SEND (a silo going away, storage down) is not retried at once: the next one waits a moment.
            await Task.Delay(20).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            Refuse(ex.GetType().Name);
            await Task.Delay(20).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    private void Refuse(string reason)
    {
        if (ClusterTrace.IsOn)
        {
            _producerLog.Note($"send refused: {reason}");
        }

        lock (_gate)
        {
            _refusals[reason] = _refusals.GetValueOrDefault(reason) + 1;
        }
    }

    private async Task ConsumeAsync()
    {
        try
        {
            await foreach (IncomingMessage message in Consumer.ReceiveAsync().ConfigureAwait(false))
            {
                Processed(message.MessageId);
                await message.AckAsync().ConfigureAwait(false);
            }
        }
        catch (TamTamException)
        {
            // The consumer's client ended (it gave up reconnecting, or was disposed): what it lost shows as unprocessed.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Processed(Guid messageId)
    {
        TaskCompletionSource? caughtUp = null;
        lock (_gate)
        {
            if (!_processed.Add(messageId))
            {
                _processedTwice.Add(messageId);
            }

            if (_caughtUp is not null && _accepted.Keys.All(_processed.Contains))
            {
                caughtUp = _caughtUp;
                _caughtUp = null;
            }
        }

        caughtUp?.TrySetResult();
    }
}
