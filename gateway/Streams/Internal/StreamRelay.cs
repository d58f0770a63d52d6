using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Internal;
using TamTam.Interfaces.Streams;

namespace TamTam.Gateway.Streams.Internal;

/// <summary>
/// This silo's relay for port streams (docs/architecture.md, "Streaming mode"): an in-process registry of the
/// sessions subscribed to each (link, port), registered with each port's grain as one grain observer for the
/// whole silo. A port grain on this silo calls <see cref="Deliver"/> directly; one on another silo calls
/// <see cref="DeliverAsync"/>. Either way a batch goes to every subscribed session without waiting for any.
/// </summary>
/// <remarks>
/// A port grain keeps its relays in memory only: a new activation knows none. So the relay renews its
/// registration with every port it has subscribers for each <see cref="RenewalPeriod"/>; that also keeps the
/// grain active. The relay never unregisters: a port grain that sends a batch nobody here wants is told so
/// (false) and stops sending, which cannot overtake a newer subscription the way an unregister call could.
/// </remarks>
internal sealed class StreamRelay(IGrainFactory grains, SiloAddress silo, ILogger logger) : IStreamRelay, ILocalStreamRelay, IAsyncDisposable
{
    /// <summary>How often the relay registers again with the ports it serves: at most this long, a new port grain activation misses this silo.</summary>
    public static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(5);

    private static readonly Task<bool> Wanted = Task.FromResult(true);
    private static readonly Task<bool> NotWanted = Task.FromResult(false);

    private readonly IGrainFactory _grains = grains;
    private readonly SiloAddress _silo = silo;
    private readonly ILogger _logger = logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, PortSubscribers> _ports = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private IStreamRelay? _reference;
    private Task? _renewing;
    private bool _disposed;

    /// <summary>
    /// Adds <paramref name="subscriber"/> to the port <paramref name="key"/>; completes once this silo's relay is
    /// registered with the port grain, so a packet published afterwards reaches the subscriber. Every subscriber
    /// registers (idempotent at the grain): an earlier registration may have been dropped since.
    /// </summary>
    public async Task SubscribeAsync(string key, IStreamSubscriber subscriber)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _ports.GetOrAdd(key, static key => new PortSubscribers(key)).Add(subscriber);
            _reference ??= _grains.CreateObjectReference<IStreamRelay>(this);
            _renewing ??= RenewAsync(_stopping.Token);
        }

        try
        {
            await RegisterAsync(key).ConfigureAwait(false);
        }
        catch
        {
            Unsubscribe(key, subscriber);
            throw;
        }
    }

    /// <summary>Removes <paramref name="subscriber"/> from the port <paramref name="key"/>.</summary>
    public void Unsubscribe(string key, IStreamSubscriber subscriber)
    {
        lock (_gate)
        {
            if (_ports.TryGetValue(key, out PortSubscribers? port))
            {
                port.Remove(subscriber);
                if (port.IsEmpty)
                {
                    _ports.TryRemove(key, out _);
                }
            }
        }
    }

    public bool Deliver(StreamBatch batch)
    {
        if (!_ports.TryGetValue(batch.Key, out PortSubscribers? port))
        {
            return false;
        }

        foreach (IStreamSubscriber subscriber in port.Subscribers)
        {
            subscriber.Offer(batch);
        }

        return true;
    }

    public Task<bool> DeliverAsync(StreamBatch[] batches)
    {
        bool wanted = true;
        foreach (StreamBatch batch in batches)
        {
            wanted &= Deliver(batch);
        }

        return wanted ? Wanted : NotWanted;
    }

    public async ValueTask DisposeAsync()
    {
        Task? renewing;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stopping.Cancel();
            renewing = _renewing;
        }

        if (renewing is not null)
        {
            await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_reference is not null)
        {
            _grains.DeleteObjectReference<IStreamRelay>(_reference);
        }

        _stopping.Dispose();
    }

    private Task RegisterAsync(string key) => _grains.GetGrain<IStreamPortGrain>(key).SubscribeAsync(_reference!, _silo);

    private async Task RenewAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(RenewalPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                foreach (string key in _ports.Keys)
                {
                    try
                    {
                        await RegisterAsync(key).WaitAsync(stopping).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // The next period tries again; meanwhile the port's packets do not reach this silo.
                        _logger.StreamRenewalFailed(exception, key);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }
}
