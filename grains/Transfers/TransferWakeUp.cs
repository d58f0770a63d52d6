using Microsoft.Extensions.Logging;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers;

/// <summary>
/// Wakes the live transfers when the silo has started (<see cref="ITransferRegistryGrain.WakeAsync"/> on every
/// partition), so that an upload abandoned before a restart is removed at its deadline without anything else
/// reaching its grain. Runs beside the silo's start, not in its way; the silo's stop waits for it.
/// </summary>
/// <remarks>
/// Orleans' reminders would do this too, but the reminder service 10.4.2 offers without another package
/// keeps its reminders in memory and loses them with the silo: the registry is kept in the grain storage
/// every other durable state uses.
/// </remarks>
public sealed class TransferWakeUp(IGrainFactory grains, ILogger<TransferWakeUp> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private Task _waking = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(TransferWakeUp), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);
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
            var wakes = new Task<int>[RegistryPartition.Count];
            for (int partition = 0; partition < wakes.Length; partition++)
            {
                wakes[partition] = grains.GetGrain<ITransferRegistryGrain>(partition).WakeAsync();
            }

            int live = 0;
            foreach (int count in await Task.WhenAll(wakes).ConfigureAwait(false))
            {
                live += count;
            }

            TransferLog.Woken(logger, live);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            TransferLog.WakeFailed(logger, exception);
        }
    }
}
