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

    /// <summary>Lifetime of a message sent with ttl 0, so that nothing waits forever for a node that never returns.</summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often the orchestrator looks for deadlines, ack timeouts and due retries.</summary>
    public TimeSpan TimerPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a deactivating orchestrator waits for its connected nodes to hear that they must join again
    /// (they are told at once, in parallel); the log is closed after it whatever they answered.
    /// </summary>
    public TimeSpan RelinkTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Log records after which the link writes a checkpoint and drops segments nothing live needs.</summary>
    public long CompactionRecords { get; init; } = 1_000_000;

    /// <summary>
    /// Extra time a parted delivery may take before it counts as unacknowledged, per MiB of payload: the receiver
    /// acknowledges only after every part arrived. The default allows a receiver 1 MiB/s.
    /// </summary>
    public TimeSpan TransferAckTimeoutPerMiB { get; init; } = TimeSpan.FromSeconds(1);

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
