using Microsoft.Extensions.Logging;
using TamTam.Diagnostics;
using TamTam.Grains.Streams.Internal;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// The way from a silo's relay to one grain subscribed to one stream: batches are offered without waiting (the relay
/// serves every subscriber of its silo) and sent by one call in flight at a time, in sequence order, each call carrying
/// whatever waited meanwhile. At most <see cref="MaxBacklogPackets"/> wait; what does not fit is dropped and counted
/// (<c>tamtam.streams.packets.dropped{tamtam.reason=slow_consumer}</c>), and the grain sees it as a sequence gap — as a
/// node whose session buffer overflows does.
/// </summary>
internal sealed class ConsumerRoute
{
    /// <summary>Packets that may wait for one grain subscriber.</summary>
    public const int MaxBacklogPackets = 65_536;

    private const int MaxBatchesPerCall = 64;

    private readonly Queue<StreamBatch> _waiting = new();
    private readonly Lock _gate = new();
    private readonly StreamMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<ConsumerRoute>? _gone;
    private int _backlog;
    private bool _sending;

    // gone: told when the subscriber is an Orleans client that is no longer connected, to end its subscriptions.
    public ConsumerRoute(string key, GrainId grain, IStreamPacketConsumer consumer, StreamMetrics metrics, ILogger logger, Action<ConsumerRoute>? gone)
    {
        _gone = gone;
        Key = key;
        Grain = grain;
        Consumer = consumer;
        _metrics = metrics;
        _logger = logger;
    }

    public string Key { get; }

    public GrainId Grain { get; }

    private IStreamPacketConsumer Consumer { get; }

    /// <summary>The subscriptions this grain holds on the stream (its explicit ones, or its implicit one).</summary>
    public Guid[] Subscriptions { get; set; } = [];

    /// <summary>Takes <paramref name="batch"/> for the grain, or drops and counts it; never waits.</summary>
    public void Offer(StreamBatch batch)
    {
        lock (_gate)
        {
            if (_backlog > 0 && _backlog + batch.Count > MaxBacklogPackets)
            {
                _metrics.ConsumerDropped(batch.Count, "slow_consumer");
                return;
            }

            _waiting.Enqueue(batch);
            _backlog += batch.Count;
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        // Off the caller's scheduler (a port grain's turn, a relay call): the grain call's answer must not wait for it.
        BackgroundWork.Run(Task.Run(SendWaitingAsync), "deliver stream packets to a grain", _logger);
    }

    private async Task SendWaitingAsync()
    {
        while (true)
        {
            StreamBatch[] batches;
            int packets = 0;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                batches = new StreamBatch[Math.Min(_waiting.Count, MaxBatchesPerCall)];
                for (int i = 0; i < batches.Length; i++)
                {
                    batches[i] = _waiting.Dequeue();
                    packets += batches[i].Count;
                }

                _backlog -= packets;
            }

            try
            {
                int unobserved = await Consumer.DeliverAsync(Key, Subscriptions, batches).ConfigureAwait(false);
                if (unobserved > 0)
                {
                    _metrics.ConsumerDropped(unobserved, "no_observer");
                    StreamLog.ConsumerWithoutObserver(_logger, Key, Grain, unobserved);
                }
            }
            catch (ClientNotAvailableException exception) when (_gone is not null)
            {
                _metrics.ConsumerDropped(packets, "consumer_failed");
                StreamLog.ConsumerGone(_logger, exception, Key, Grain);
                _gone(this);
                return;
            }
            catch (Exception exception)
            {
                // The grain's observer threw, or the grain could not be reached: these packets are lost to it, the
                // subscription stays (as Orleans' own providers keep it), and the next batch is tried.
                _metrics.ConsumerDropped(packets, "consumer_failed");
                StreamLog.ConsumerFailed(_logger, exception, Key, Grain, packets);
            }
        }
    }
}
