namespace TamTam.Grains.Transfers;

/// <summary>How parted transfers live and end; bound from <c>TamTam:Transfers</c>.</summary>
public sealed record TransferOptions
{
    public const string Section = "TamTam:Transfers";

    /// <summary>
    /// How long an upload may go without progress (no SEND, no part stored) before it is abandoned: its staged
    /// parts are removed and a later SEND of the same id is refused with 305 EXPIRED.
    /// </summary>
    public TimeSpan StagingTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often a transfer checks its deadlines and writes progress it has not written yet.</summary>
    public TimeSpan TimerPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Progress (parts staged, parts confirmed) is written at most this often: it is informative, the payload
    /// store is the truth about what is held, so a lost progress write costs a resent part.
    /// </summary>
    public TimeSpan ProgressWriteInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The links' <c>DefaultTtl</c>: the deadline of a message sent with ttl 0.</summary>
    public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long after an accepted message's deadline the payload is removed if its link never reported the final
    /// state (the link expires the message at its deadline and normally reports it at once).
    /// </summary>
    public TimeSpan CleanupGrace { get; init; } = TimeSpan.FromMinutes(1);
}
