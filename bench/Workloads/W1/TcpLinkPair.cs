using System.Diagnostics;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Bench.Workloads.W1;

/// <summary>
/// One link of W1 over TCP: a consumer node bound to the unicast port, acknowledging every delivery, and a
/// producer node sending to it, each its own <see cref="TamTamClient"/> (its own connection and session).
/// </summary>
internal sealed class TcpLinkPair : IAsyncDisposable
{
    public const string Port = "w1";

    private readonly TamTamClient _consumer;
    private readonly TamTamClient _producer;
    private readonly List<Task> _statuses = [];
    private Task _consuming = Task.CompletedTask;
    private SemaphoreSlim? _unsettled;

    private TcpLinkPair(TamTamClient consumer, TamTamClient producer)
    {
        _consumer = consumer;
        _producer = producer;
    }

    /// <summary>The server's max_inflight (1,024 when it announces no limit).</summary>
    public int MaxInflight => _producer.MaxInflight is 0 or > int.MaxValue ? 1_024 : (int)_producer.MaxInflight;

    public static async Task<TcpLinkPair> OpenAsync(Uri server, string link, CancellationToken cancellationToken)
    {
        var options = new TamTamClientOptions { Uri = server, ClientName = "tamtam-bench/w1" };
        TamTamClient consumer = await TamTamClient.ConnectAsync(options, cancellationToken);
        TamTamClient? producer = null;
        try
        {
            await consumer.JoinAsync(link, "consumer", cancellationToken);
            await consumer.BindAsync(Port, PortMode.Unicast, subtree: false, cancellationToken);
            producer = await TamTamClient.ConnectAsync(options, cancellationToken);
            await producer.JoinAsync(link, "producer", cancellationToken);
            return new TcpLinkPair(consumer, producer);
        }
        catch
        {
            await consumer.DisposeAsync();
            if (producer is not null)
            {
                await producer.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Starts acknowledging deliveries until <paramref name="expected"/> have come.</summary>
    public void StartConsuming(int expected, CancellationToken cancellationToken) => _consuming = ConsumeAsync(expected, cancellationToken);

    /// <summary>
    /// Sends <paramref name="count"/> messages with up to <paramref name="window"/> awaiting ACCEPTED and up to
    /// <paramref name="outstanding"/> without a final status; each status is reported to <paramref name="meter"/>.
    /// Returns once every message is sent (or the run is cut short); the statuses come in after that.
    /// </summary>
    public async Task ProduceAsync(int count, int window, int outstanding, RandomPayloads payloads, RunMeter meter,
        LatencyRecorder accepted, LatencyRecorder settled, CancellationToken cancellationToken)
    {
        _unsettled = new SemaphoreSlim(outstanding);
        int next = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(window, count)).Select(_ => SendLoopAsync()));

        async Task SendLoopAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next) - 1) < count)
            {
                try
                {
                    await _unsettled.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                long sentAt = Stopwatch.GetTimestamp();
                SendReceipt receipt;
                try
                {
                    receipt = await _producer.SendAsync(Port, payloads.For(i), options: null, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // The time cap: the run is reported incomplete.
                    _unsettled.Release();
                    return;
                }
                catch (Exception exception) when (exception is TamTamException or TimeoutException)
                {
                    _unsettled.Release();
                    meter.Refusal();
                    continue;
                }

                accepted.Record(sentAt);
                Task status = AwaitStatusAsync(receipt, sentAt, meter, settled);
                lock (_statuses)
                {
                    _statuses.Add(status);
                }
            }
        }
    }

    /// <summary>Closes both connections; statuses still awaited then count as not delivered.</summary>
    public async ValueTask DisposeAsync()
    {
        await _producer.DisposeAsync();
        await _consumer.DisposeAsync();
        await _consuming;
        Task[] statuses;
        lock (_statuses)
        {
            statuses = [.. _statuses];
        }

        await Task.WhenAll(statuses);
        _unsettled?.Dispose();
    }

    // No cancellation here: a status waits for as long as the run does, and disposing the producer ends the wait.
    private async Task AwaitStatusAsync(SendReceipt receipt, long sentAt, RunMeter meter, LatencyRecorder settled)
    {
        bool delivered = false;
        try
        {
            MessageStatus status = await receipt.Completion;
            settled.Record(sentAt);
            delivered = status.IsDelivered;
        }
        catch (TamTamConnectionException)
        {
            // Counted as not delivered.
        }
        finally
        {
            _unsettled!.Release();
            meter.Settled(delivered);
        }
    }

    private async Task ConsumeAsync(int expected, CancellationToken cancellationToken)
    {
        if (expected == 0)
        {
            return;
        }

        int received = 0;
        try
        {
            await foreach (IncomingMessage message in _consumer.ReceiveAsync(cancellationToken))
            {
                await message.AckAsync(cancellationToken);
                if (++received == expected)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is TamTamConnectionException or OperationCanceledException)
        {
            // The run was cut short: the producer's statuses tell what was not delivered.
        }
    }
}
