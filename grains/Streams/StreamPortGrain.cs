using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;
using Orleans.Streams;
using TamTam.Grains.Streams.Internal;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>
/// Numbers and enqueues the packets of one (link, port). Not reentrant on purpose: the sequence counter
/// advances only after the queue took the batch, and batches reach the queue in sequence order, so every
/// subscriber sees consecutive sequences unless a packet is really lost downstream.
/// </summary>
/// <remarks>
/// No state is persisted: streaming mode is not durable. A new activation (after idle collection or a silo
/// failure) starts again from sequence 1, which receivers see as a restart (a sequence lower than the last),
/// not as a loss.
/// </remarks>
public sealed class StreamPortGrain : Grain, IStreamPortGrain
{
    private readonly ILogger<StreamPortGrain> _logger;
    private readonly StreamMetrics _metrics;
    private IAsyncStream<StreamBatch>? _stream;
    private ulong _next = 1;

    public StreamPortGrain(ILogger<StreamPortGrain> logger, StreamMetrics metrics)
    {
        _logger = logger;
        _metrics = metrics;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<StreamBatch>(StreamId.Create(StreamNames.Namespace, this.GetPrimaryKeyString()));
        return Task.CompletedTask;
    }

    public async Task<StreamPublishResult> PublishAsync(StreamPacketData[] packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (packets.Length == 0)
        {
            return StreamPublishResult.Ok(_next);
        }

        string key = this.GetPrimaryKeyString();
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        var batch = new StreamBatch(key[..colon], key[(colon + 1)..], _next, packets);
        try
        {
            await _stream!.OnNextAsync(batch).ConfigureAwait(true);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The memory queue refuses once it holds its limit of events (its consumers lag): say so, count it,
            // and number nothing, so receivers see no gap for packets that never entered the stream.
            _metrics.Refused(packets.Length);
            StreamLog.QueueRefused(_logger, exception, key, packets.Length);
            return StreamPublishResult.Refused(ErrorCode.QuotaExceeded,
                $"the stream queue of \"{key}\" is full (its subscribers lag); {packets.Length} packet(s) refused, publish again later");
        }

        _next += (ulong)packets.Length;
        _metrics.Published(packets.Length);
        return StreamPublishResult.Ok(batch.FirstSequence);
    }
}
