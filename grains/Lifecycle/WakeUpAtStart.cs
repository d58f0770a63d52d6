namespace TamTam.Grains.Lifecycle;

/// <summary>
/// Wakes, when the silo has started, the grains whose timers must run again after a restart and that nothing else may touch
/// (<see cref="Transfers.TransferWakeUp"/>: the live transfers; <see cref="Interchange.RoamingWakeUp"/>: the links with
/// roaming messages), through their durable, partitioned lists. Runs beside the silo's start (stage Active), not in its way;
/// the silo's stop waits for it. The wake-up logs its own failures and never throws.
/// </summary>
/// <remarks>
/// Orleans' reminders would do this too, but the reminder service 10.4.2 offers without another package keeps its
/// reminders in memory and loses them with the silo: the lists are kept in the grain storage every other durable state uses.
/// </remarks>
public abstract class WakeUpAtStart : ILifecycleParticipant<ISiloLifecycle>
{
    private Task _waking = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);
    }

    /// <summary>Wakes what is listed; returns how many were listed.</summary>
    protected abstract Task<int> WakeAsync();

    protected abstract void Woken(int listed);

    protected abstract void Failed(Exception exception);

    /// <summary>Calls <paramref name="wake"/> on partitions 0 … <paramref name="partitions"/> − 1 at once and adds up their counts.</summary>
    protected static async Task<int> WakePartitionsAsync(int partitions, Func<int, Task<int>> wake)
    {
        ArgumentNullException.ThrowIfNull(wake);
        var wakes = new Task<int>[partitions];
        for (int partition = 0; partition < partitions; partition++)
        {
            wakes[partition] = wake(partition);
        }

        int listed = 0;
        foreach (int count in await Task.WhenAll(wakes).ConfigureAwait(false))
        {
            listed += count;
        }

        return listed;
    }

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _waking = RunAsync();
        return Task.CompletedTask;
    }

    private Task OnStopAsync(CancellationToken cancellationToken) => _waking;

    private async Task RunAsync()
    {
        try
        {
            Woken(await WakeAsync().ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Failed(exception);
        }
    }
}
