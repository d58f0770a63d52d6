using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TamTam.Grains.Streams.Provider;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Internal;

/// <summary>
/// This silo's relay as other silos' port grains reach it: a grain service, addressed by the silo's address, that
/// hands each batch to the in-process relay of this silo's gateway (<see cref="ILocalStreamRelay"/>). On a silo
/// without a gateway nobody receives anything, so it answers that no stream is wanted.
/// </summary>
/// <remarks>Calls are answered without waiting: the local relay never waits for a session's socket.</remarks>
public sealed class StreamRelayService : GrainService, IStreamRelay
{
    private static readonly Task<bool> Wanted = Task.FromResult(true);
    private static readonly Task<bool> NotWanted = Task.FromResult(false);

    private readonly Lazy<ILocalStreamRelay?> _local;

    public StreamRelayService(GrainId id, Silo silo, ILoggerFactory loggerFactory, IServiceProvider services)
        : base(id, silo, loggerFactory)
    {
        _local = new Lazy<ILocalStreamRelay?>(() =>
            new SiloStreamRelay(services.GetService<ILocalStreamRelay>(), services.GetRequiredService<GrainSubscribers>(), withImplicit: false));
    }

    public Task<bool> DeliverAsync(StreamBatch[] batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (_local.Value is not { } local)
        {
            return NotWanted;
        }

        return Deliver(local, batches).Wanted ? Wanted : NotWanted;
    }

    public Task<RelayDelivery> DeliverReportingLagAsync(StreamBatch[] batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        return Task.FromResult(_local.Value is { } local ? Deliver(local, batches) : default);
    }

    private static RelayDelivery Deliver(ILocalStreamRelay local, StreamBatch[] batches)
    {
        bool wanted = true;
        int lag = 0;
        foreach (StreamBatch batch in batches)
        {
            wanted &= local.Deliver(batch, out int batchLag);
            lag = Math.Max(lag, batchLag);
        }

        return new RelayDelivery(wanted, lag);
    }

    public Task<bool> WantsAsync(string key) => _local.Value is { } local && local.Wants(key) ? Wanted : NotWanted;
}
