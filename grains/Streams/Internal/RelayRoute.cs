using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Internal;

/// <summary>
/// The way from one port grain to one silo's relay. The relay of the grain's own silo is called in-process as
/// each batch is numbered. Another silo's relay gets the batches by one call in flight at a time, in sequence
/// order, each call carrying whatever waited meanwhile; what waits is bounded by <see cref="MaxBacklogPackets"/>,
/// beyond which the port refuses to publish (302) rather than hold more or drop silently.
/// </summary>
/// <remarks>Runs on its port grain's activation: no locks, the turns never overlap.</remarks>
internal sealed class RelayRoute
{
    /// <summary>Packets that may wait for (or be on their way to) one remote relay.</summary>
    public const int MaxBacklogPackets = 65_536;

    // Batches of one relay call: enough to cover a call's round trip at full rate, few enough to keep a call small.
    private const int MaxBatchesPerCall = 64;

    private readonly Queue<StreamBatch> _waiting = new();
    private Task? _sending;

    public RelayRoute(SiloAddress silo, IStreamRelay relay, ILocalStreamRelay? local)
    {
        Silo = silo;
        Relay = relay;
        Local = local;
    }

    public SiloAddress Silo { get; }

    /// <summary>The relay reached in-process, when it runs on the port grain's silo; otherwise null.</summary>
    public ILocalStreamRelay? Local { get; }

    /// <summary>Packets waiting for the relay or in its call; always 0 for the local relay.</summary>
    public int Backlog { get; private set; }

    private IStreamRelay Relay { get; set; }

    // Counts registrations, so that a relay's "no subscriber" answer older than its latest registration is ignored.
    private long Registrations { get; set; }

    /// <summary>Whether <paramref name="packets"/> more may wait for this relay.</summary>
    public bool HasRoomFor(int packets) => Local is not null || Backlog + packets <= MaxBacklogPackets;

    /// <summary>The relay registered again (its periodic renewal, or a new subscriber after it had none).</summary>
    public void Renew(IStreamRelay relay)
    {
        Relay = relay;
        Registrations++;
    }

    /// <summary>
    /// Hands <paramref name="batch"/> to the relay; <paramref name="gone"/> learns when the relay must be dropped
    /// (it has no subscriber left, or its call failed), with the packets it loses.
    /// </summary>
    public void Send(StreamBatch batch, Action<RelayRoute, Exception?, int> gone)
    {
        if (Local is { } local)
        {
            if (!local.Deliver(batch))
            {
                gone(this, null, 0);
            }

            return;
        }

        _waiting.Enqueue(batch);
        Backlog += batch.Count;
        if (_sending is null || _sending.IsCompleted)
        {
            _sending = SendWaitingAsync(gone);
        }
    }

    /// <summary>Stops sending; returns the packets that will not reach the relay.</summary>
    public int Close()
    {
        int lost = Backlog;
        _waiting.Clear();
        Backlog = 0;
        return lost;
    }

    private async Task SendWaitingAsync(Action<RelayRoute, Exception?, int> gone)
    {
        while (_waiting.Count > 0)
        {
            var batches = new StreamBatch[Math.Min(_waiting.Count, MaxBatchesPerCall)];
            int packets = 0;
            for (int i = 0; i < batches.Length; i++)
            {
                batches[i] = _waiting.Dequeue();
                packets += batches[i].Count;
            }

            long registrations = Registrations;
            bool wanted;
            try
            {
                wanted = await Relay.DeliverAsync(batches).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
            }
            catch (Exception exception)
            {
                // A relay whose silo failed, or that did not answer in time: dropped; if it is alive, its next
                // renewal registers it again. Its subscribers see the packets lost meanwhile as a gap.
                gone(this, exception, Close());
                return;
            }

            Backlog -= packets;
            if (!wanted && registrations == Registrations)
            {
                gone(this, null, Close());
                return;
            }
        }
    }
}
