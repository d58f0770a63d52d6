using Microsoft.Extensions.Logging;
using TamTam.Grains.Interchange.Internal;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;

namespace TamTam.Grains.Interchange;

/// <summary>
/// One partition of the durable list of links with roaming messages, woken at each silo start by <see cref="RoamingWakeUp"/>
/// so that a message accepted for a station's link is routed again after a crash without waiting for anything to touch its link.
/// </summary>
/// <remarks>
/// The state is rewritten when a link starts or stops having roaming messages, not per message; it holds only the links with
/// messages in flight to stations, so its size follows how many such links there are at once. Only the links write it (a link
/// knows whether it has roaming messages; the wake-up does not): a woken link with none unlists itself.
/// Not reentrant: adds and removes are serial writes.
/// </remarks>
public sealed class RoamingLinksGrain(
    [PersistentState("roaming")] IPersistentState<RoamingLinksState> state,
    ILogger<RoamingLinksGrain> logger) : Grain, IRoamingLinksGrain
{
    public async Task AddAsync(string link)
    {
        if (state.State.Links.Add(link))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string link)
    {
        if (state.State.Links.Remove(link))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<int> WakeAsync()
    {
        string[] listed = [.. state.State.Links];
        var wakes = new Task[listed.Length];
        for (int i = 0; i < listed.Length; i++)
        {
            // Any call activates the link; its activation and timer do the rest.
            wakes[i] = GrainFactory.GetGrain<ILinkGrain>(listed[i]).GetSummaryAsync();
        }

        for (int i = 0; i < listed.Length; i++)
        {
            try
            {
                await wakes[i];
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // Listed still: the next start tries again, and the link's own callers still reach it.
                InterchangeLog.RoamingNotWoken(logger, listed[i], exception);
            }
        }

        return listed.Length;
    }
}
