using Microsoft.Extensions.Logging;
using TamTam.Grains.Transfers.Internal;
using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Transfers;

/// <summary>
/// One partition of the durable list of live transfers, woken at each silo start by <see cref="TransferWakeUp"/>
/// so that every transfer's deadlines are watched again without waiting for its sender or receivers.
/// </summary>
/// <remarks>
/// The state is rewritten on every start and end of a transfer in the partition; it holds only the transfers in
/// progress (a 1 GiB upload lasts seconds to minutes), so its size follows how many run at once, not how many ran.
/// Not reentrant: adds and removes are serial writes.
/// </remarks>
public sealed class TransferRegistryGrain(
    [PersistentState("transfers")] IPersistentState<TransferRegistryState> state,
    ILogger<TransferRegistryGrain> logger) : Grain, ITransferRegistryGrain
{
    public async Task AddAsync(Guid transferId)
    {
        if (state.State.Live.Add(transferId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(Guid transferId)
    {
        if (state.State.Live.Remove(transferId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<int> WakeAsync()
    {
        Guid[] listed = [.. state.State.Live];
        Task<bool>[] wakes = new Task<bool>[listed.Length];
        for (int i = 0; i < listed.Length; i++)
        {
            wakes[i] = GrainFactory.GetGrain<ITransferGrain>(listed[i]).WakeAsync();
        }

        int live = 0;
        bool changed = false;
        for (int i = 0; i < listed.Length; i++)
        {
            try
            {
                if (await wakes[i])
                {
                    live++;
                    continue;
                }

                changed |= state.State.Live.Remove(listed[i]);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Listed still: the next start tries again, and the transfer's own callers still reach it.
                TransferLog.NotWoken(logger, listed[i], exception);
            }
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }

        return live;
    }

    public Task<Guid[]> GetLiveAsync(int limit)
    {
        var live = new List<Guid>(Math.Min(Math.Max(limit, 0), state.State.Live.Count));
        foreach (Guid id in state.State.Live)
        {
            if (live.Count >= limit)
            {
                break;
            }

            live.Add(id);
        }

        return Task.FromResult(live.ToArray());
    }
}
