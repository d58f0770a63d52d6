using TamTam.Interfaces.Transfers;

namespace TamTam.Grains.Links;

/// <summary>
/// How every link orchestrator behaves; bound from <c>TamTam:Links</c>. The retry schedule is fixed and
/// deterministic: attempt n+1 of a delivery that was not acknowledged waits <c>RetryDelays[n-1]</c> (the last
/// entry repeats), and a delivery still unconfirmed after <see cref="MaxAttempts"/> attempts is UNDELIVERABLE.
/// </summary>
public sealed record OrchestratorOptions
{
    public const string Section = "TamTam:Links";

    /// <summary>Deliveries a node may have waiting (its durable inbox); a SEND beyond it is refused (302).</summary>
    public int MaxInboxMessages { get; init; } = 10_000;

    /// <summary>Payload bytes a node may have waiting.</summary>
    public long MaxInboxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Largest inline payload a link accepts (303 beyond it); larger payloads travel as parts.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>Deliveries in flight (sent, not yet acknowledged) per node: the consumer's window.</summary>
    public int DeliveryWindow { get; init; } = 512;

    /// <summary>
    /// How long a delivery may stay unacknowledged before it counts as failed and is retried, counted from when the
    /// node's session has written it to its connection (a push may wait behind earlier pushes to the same node).
    /// </summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The schedule used when <see cref="RetryDelays"/> is not set: 1, 2, 5, 10, 30 s.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetryDelays { get; } =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    /// <summary>
    /// Wait before attempt n+1, by n; the last value repeats. <see langword="null"/> means
    /// <see cref="DefaultRetryDelays"/>. (Null rather than the defaults as initial value: the configuration
    /// binder appends to a list it finds, so configured delays would follow the defaults instead of replacing them.)
    /// </summary>
    public IReadOnlyList<TimeSpan>? RetryDelays { get; init; }

    /// <summary>Delivery attempts per recipient before the message is UNDELIVERABLE for it.</summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>
    /// Lifetime of a message sent with ttl 0, so that nothing waits forever for a node that never returns; its DELIVER
    /// carries the deadline this gives (docs/protocol.md section 5.10). <see cref="TimeSpan.Zero"/>: none, a message
    /// sent with ttl 0 never expires and its DELIVER's deadline is 0.
    /// </summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The default of <see cref="DuplicateWindow"/>.</summary>
    public static readonly TimeSpan DefaultDuplicateWindow = TimeSpan.FromHours(1);

    /// <summary>The default of <see cref="DuplicateWindowIds"/>.</summary>
    public const int DefaultDuplicateWindowIds = 65_536;

    /// <summary>
    /// How long a message id stays a duplicate after its message is done with (its status confirmed by the sender, or
    /// handed to the sender's link), counted from its final state: a SEND repeating it within this is answered as a
    /// duplicate, and a repeated STATUS_ACK of it is not refused. Until the message is done with its id always is one.
    /// </summary>
    public TimeSpan DuplicateWindow { get; init; } = DefaultDuplicateWindow;

    /// <summary>At most this many done-with ids are remembered per link (the oldest go first): the window's memory bound.</summary>
    public int DuplicateWindowIds { get; init; } = DefaultDuplicateWindowIds;

    /// <summary>
    /// How long every message's final state stays in the link's final-state ledger, counted from that state: a MESSAGE
    /// query (or <c>tamtam status</c>) answers it, and the link's audit trail lists it, until then; after it the message
    /// is unknown (307). Independent of <see cref="DuplicateWindow"/>, which only decides whether a repeated SEND is a
    /// duplicate; keep this at least as long, so that a message its sender may still repeat can also be looked up.
    /// </summary>
    public TimeSpan LedgerRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// After a failed write the link refuses every call (501) and tries its storage again after this, then after twice
    /// as long each time up to <see cref="StorageProbeMaxDelay"/>; the first write that succeeds ends the outage.
    /// </summary>
    public TimeSpan StorageProbeDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two storage probes of a link whose writes failed.</summary>
    public TimeSpan StorageProbeMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the orchestrator looks for deadlines, ack timeouts and due retries.</summary>
    public TimeSpan TimerPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a deactivating orchestrator waits for its connected nodes to hear that they must join again
    /// (they are told at once, in parallel); the log is closed after it whatever they answered.
    /// </summary>
    public TimeSpan RelinkTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Log records after which the link writes a checkpoint and drops segments nothing live needs, even if its log has
    /// not started a segment; it also does so each time the log starts one.
    /// </summary>
    public long CompactionRecords { get; init; } = 1_000_000;

    /// <summary>
    /// Extra time a parted delivery may take before it counts as unacknowledged, per MiB of payload: the receiver
    /// acknowledges only after every part arrived. The default allows a receiver 1 MiB/s.
    /// </summary>
    public TimeSpan TransferAckTimeoutPerMiB { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The deadline in microseconds of a message accepted at <paramref name="acceptedAtUs"/> with <paramref name="ttlMs"/>
    /// (0: <see cref="DefaultTtl"/>); 0 when it has none.
    /// </summary>
    public long DeadlineUs(uint ttlMs, long acceptedAtUs)
    {
        TimeSpan ttl = ttlMs > 0 ? TimeSpan.FromMilliseconds(ttlMs) : DefaultTtl;
        return ttl > TimeSpan.Zero ? acceptedAtUs + (long)ttl.TotalMicroseconds : 0;
    }

    /// <summary><see cref="AckTimeout"/>, plus <see cref="TransferAckTimeoutPerMiB"/> per MiB of a parted payload.</summary>
    public TimeSpan AckTimeoutFor(TransferDescriptor? transfer) =>
        transfer is null ? AckTimeout : AckTimeout + TransferAckTimeoutPerMiB * Math.Ceiling(transfer.TotalSize / 1_048_576.0);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        IReadOnlyList<TimeSpan> delays = RetryDelays ?? DefaultRetryDelays;
        if (delays.Count == 0)
        {
            return TimeSpan.Zero;
        }

        return delays[Math.Clamp(attempt - 1, 0, delays.Count - 1)];
    }
}
