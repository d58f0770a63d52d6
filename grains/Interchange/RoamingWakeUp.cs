using Microsoft.Extensions.Logging;
using TamTam.Grains.Interchange.Internal;
using TamTam.Grains.Lifecycle;
using TamTam.Interfaces.Interchange;

namespace TamTam.Grains.Interchange;

/// <summary>
/// Wakes the links with roaming messages when the silo has started (<see cref="IRoamingLinksGrain.WakeAsync"/> on every
/// partition), so that "a silo crash loses nothing" holds for a message ringing when its silo died: its link routes it again
/// without waiting for a node or a station to touch the link.
/// </summary>
public sealed class RoamingWakeUp(IGrainFactory grains, ILogger<RoamingWakeUp> logger) : WakeUpAtStart
{
    protected override Task<int> WakeAsync() =>
        WakePartitionsAsync(IRoamingLinksGrain.PartitionCount, partition => grains.GetGrain<IRoamingLinksGrain>(partition).WakeAsync());

    protected override void Woken(int listed) => InterchangeLog.RoamingWoken(logger, listed);

    protected override void Failed(Exception exception) => InterchangeLog.RoamingWakeFailed(logger, exception);
}
