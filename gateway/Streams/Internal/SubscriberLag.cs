namespace TamTam.Gateway.Streams.Internal;

/// <summary>
/// What one subscriber's backlog tells the publishers of its streams (docs/architecture.md, "Streaming mode"): the
/// packets it holds unsent while it keeps taking what it is sent, and nothing once its socket has taken nothing for
/// the stall period (<see cref="GatewayOptions.StreamStallTimeout"/>) — so a subscriber that stopped reading holds a
/// publisher back for that long at most, and loses packets afterwards instead. Times are
/// <see cref="Environment.TickCount64"/> milliseconds.
/// </summary>
internal sealed class SubscriberLag
{
    // How long a subscriber with a backlog may take nothing before its backlog stops holding publishers back.
    private readonly long _stalledAfterMs;

    // When the socket last took a batch, or the backlog last started from empty.
    private long _progressAt;

    public SubscriberLag(long now, TimeSpan stalledAfter)
    {
        _progressAt = now;
        _stalledAfterMs = (long)stalledAfter.TotalMilliseconds;
    }

    /// <summary>The socket took a batch at <paramref name="now"/>.</summary>
    public void Progressed(long now) => Volatile.Write(ref _progressAt, now);

    /// <summary>
    /// A batch was taken at <paramref name="now"/>, making the backlog <paramref name="backlog"/> packets (or their
    /// equivalent in bytes); <paramref name="fromEmpty"/> when nothing else was waiting. Returns the lag to report.
    /// </summary>
    public int Offered(bool fromEmpty, long backlog, long now)
    {
        if (fromEmpty)
        {
            // Nothing was waiting, so nothing has been waiting long.
            Volatile.Write(ref _progressAt, now);
            return (int)backlog;
        }

        return now - Volatile.Read(ref _progressAt) < _stalledAfterMs ? (int)backlog : 0;
    }
}
