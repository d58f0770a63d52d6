using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Internal;

/// <summary>
/// The way from one port grain to one silo's relay. The relay of the grain's own silo is called in-process as
/// each batch is numbered. Another silo's relay gets the batches by one call in flight at a time, in sequence
/// order, each call carrying whatever waited meanwhile; what waits is bounded by <see cref="MaxBacklogPackets"/>,
/// beyond which the port refuses to publish (302) rather than hold more or drop silently.
/// </summary>
/// <remarks>
/// A route is sending, or paused: its relay answered that nobody on its silo receives the stream, or its call
/// failed. A paused route is sent to again when the relay subscribes (a session there bound a covering port),
/// and otherwise at the first batch after <see cref="ResumeAt"/>, in case the relay's subscription was missed.
/// Runs on its port grain's activation: no locks, the turns never overlap.
/// </remarks>
internal sealed class RelayRoute
{
    /// <summary>Packets that may wait for (or be on their way to) one remote relay.</summary>
    public const int MaxBacklogPackets = 65_536;

    /// <summary>How long a route whose relay wanted nothing stays paused unless the relay subscribes.</summary>
    public static readonly TimeSpan UnwantedPause = TimeSpan.FromSeconds(30);

    /// <summary>How long a route whose call failed stays paused unless the relay subscribes.</summary>
    public static readonly TimeSpan FailedPause = TimeSpan.FromSeconds(5);

    // Batches of one relay call: enough to cover a call's round trip at full rate, few enough to keep a call small.
    private const int MaxBatchesPerCall = 64;

    private readonly Queue<StreamBatch> _waiting = new();
    private Task? _sending;

    // standIn: relay is a receiver standing in for the silo's relay service (IStreamPortGrain.SubscribeAsync).
    public RelayRoute(SiloAddress silo, IStreamRelay? relay, ILocalStreamRelay? local, bool standIn = false)
    {
        Silo = silo;
        Relay = relay;
        Local = local;
        StandIn = standIn;
    }

    public SiloAddress Silo { get; }

    /// <summary>The relay reached in-process, when it runs on the port grain's silo; otherwise null.</summary>
    public ILocalStreamRelay? Local { get; }

    /// <summary>Whether batches go to this relay.</summary>
    public bool Sending { get; private set; } = true;

    /// <summary>When a paused route is tried again (<see cref="Environment.TickCount64"/>).</summary>
    public long ResumeAt { get; private set; }

    /// <summary>Packets waiting for the relay or in its call; always 0 for the local relay.</summary>
    public int Backlog { get; private set; }

    private IStreamRelay? Relay { get; set; }

    private bool StandIn { get; set; }

    // The remote relay answers DeliverReportingLag (its silo advertised it), so its subscribers' lag is known here.
    private bool ReportsLag { get; set; }

    // The lag of the remote relay's subscribers, as its latest answer gave it.
    private int RemoteLag { get; set; }

    // Counts subscriptions, so that a relay's "nobody here" answer older than its latest subscription is ignored.
    private long Subscriptions { get; set; }

    /// <summary>Whether <paramref name="packets"/> more may wait for this relay.</summary>
    public bool HasRoomFor(int packets) => Local is not null || Backlog + packets <= MaxBacklogPackets;

    /// <summary>A session of the relay's silo receives the stream (again): send to it, through <paramref name="relay"/> if given.</summary>
    public void Subscribe(IStreamRelay? relay)
    {
        if (relay is not null)
        {
            Relay = relay;
            StandIn = true;
            ReportsLag = false;
        }

        Subscriptions++;
        Sending = true;
    }

    /// <summary>
    /// The relay's silo advertises its relay service (in its grain manifest), which reports its subscribers' lag;
    /// a receiver standing in for it does not.
    /// </summary>
    public void Advertised() => ReportsLag = Local is null && !StandIn;

    /// <summary>Sends again after a pause.</summary>
    public void Resume() => Sending = true;

    /// <summary>
    /// Hands <paramref name="batch"/> to the relay; <paramref name="paused"/> learns when the route pauses (its
    /// relay wants nothing, or its call failed), with the packets that will not reach the relay.
    /// </summary>
    /// <returns>How many packets the stream's publishers are ahead on this route: the relay's subscribers' lag (see
    /// <see cref="ILocalStreamRelay.Deliver"/>; a remote relay's as of its latest answer), or the packets waiting for
    /// the remote relay if more.</returns>
    public int Send(StreamBatch batch, Action<RelayRoute, Exception?, int> paused)
    {
        if (Local is { } local)
        {
            if (!local.Deliver(batch, out int lag))
            {
                Pause(null);
                paused(this, null, 0);
            }

            return lag;
        }

        _waiting.Enqueue(batch);
        Backlog += batch.Count;
        if (_sending is null || _sending.IsCompleted)
        {
            _sending = SendWaitingAsync(paused);
        }

        return Math.Max(Backlog, RemoteLag);
    }

    /// <summary>Asks the relay whether it still wants the stream <paramref name="key"/>; pauses the route if not.</summary>
    public async Task<bool> CheckAsync(string key)
    {
        long subscriptions = Subscriptions;
        bool wanted;
        try
        {
            wanted = Local?.Wants(key)
                ?? await Relay!.WantsAsync(key).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        catch (Exception exception)
        {
            Pause(exception);
            return false;
        }

        if (!wanted && subscriptions == Subscriptions && Backlog == 0)
        {
            Pause(null);
            return false;
        }

        return true;
    }

    /// <summary>Stops sending until the relay subscribes or <see cref="ResumeAt"/>; returns the packets that will not reach the relay.</summary>
    public int Pause(Exception? failure)
    {
        Sending = false;
        ResumeAt = Environment.TickCount64 + (long)(failure is null ? UnwantedPause : FailedPause).TotalMilliseconds;
        RemoteLag = 0;
        int lost = Backlog;
        _waiting.Clear();
        Backlog = 0;
        return lost;
    }

    private async Task SendWaitingAsync(Action<RelayRoute, Exception?, int> paused)
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

            long subscriptions = Subscriptions;
            bool wanted;
            try
            {
                if (ReportsLag)
                {
                    RelayDelivery delivery = await Relay!.DeliverReportingLagAsync(batches).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                    (wanted, RemoteLag) = (delivery.Wanted, delivery.Lag);
                }
                else
                {
                    wanted = await Relay!.DeliverAsync(batches).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                }
            }
            catch (Exception exception)
            {
                // A relay whose silo failed, or that did not answer in time: paused. Its subscribers see the packets
                // lost meanwhile as a gap.
                paused(this, exception, Pause(exception));
                return;
            }

            Backlog -= packets;
            if (!wanted && subscriptions == Subscriptions)
            {
                // What still waited is not lost to anyone: nobody there receives the stream.
                Pause(null);
                paused(this, null, 0);
                return;
            }
        }
    }
}
