using Microsoft.Extensions.Logging;
using TamTam.Grains.Interchange.Internal;
using TamTam.Interfaces.Interchange;

namespace TamTam.Grains.Interchange;

/// <summary>
/// Wakes the links with roaming messages when the silo has started (<see cref="IRoamingLinksGrain.WakeAsync"/> on every
/// partition), so that "a silo crash loses nothing" holds for a message ringing when its silo died: its link routes it again
/// without waiting for a node or a station to touch the link. Runs beside the silo's start, not in its way; the silo's stop
/// waits for it.
/// </summary>
public sealed class RoamingWakeUp(IGrainFactory grains, ILogger<RoamingWakeUp> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private Task _waking = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(RoamingWakeUp), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);
    }

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _waking = WakeAllAsync();
        return Task.CompletedTask;
    }

    // The wake-up logs its own failures and never throws.
    private Task OnStopAsync(CancellationToken cancellationToken) => _waking;

    private async Task WakeAllAsync()
    {
        try
        {
            var wakes = new Task<int>[IRoamingLinksGrain.PartitionCount];
            for (int partition = 0; partition < wakes.Length; partition++)
            {
                wakes[partition] = grains.GetGrain<IRoamingLinksGrain>(partition).WakeAsync();
            }

            int listed = 0;
            foreach (int count in await Task.WhenAll(wakes).ConfigureAwait(false))
            {
                listed += count;
            }

            InterchangeLog.RoamingWoken(logger, listed);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            InterchangeLog.RoamingWakeFailed(logger, exception);
        }
    }
}
