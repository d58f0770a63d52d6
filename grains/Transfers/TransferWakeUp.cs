using Microsoft.Extensions.Logging;
using TamTam.Grains.Lifecycle;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers;

/// <summary>
/// Wakes the live transfers when the silo has started (<see cref="ITransferRegistryGrain.WakeAsync"/> on every
/// partition), so that an upload abandoned before a restart is removed at its deadline without anything else
/// reaching its grain.
/// </summary>
public sealed class TransferWakeUp(IGrainFactory grains, ILogger<TransferWakeUp> logger) : WakeUpAtStart
{
    protected override Task<int> WakeAsync() =>
        WakePartitionsAsync(RegistryPartition.Count, partition => grains.GetGrain<ITransferRegistryGrain>(partition).WakeAsync());

    protected override void Woken(int listed) => TransferLog.Woken(logger, listed);

    protected override void Failed(Exception exception) => TransferLog.WakeFailed(logger, exception);
}
