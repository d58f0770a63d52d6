namespace TamTam.Client;

/// <summary>Per-message choices for <see cref="TamTamClient.SendAsync"/>; every property is optional.</summary>
public sealed record SendOptions
{
    /// <summary>The destination link; <see langword="null"/> sends within the client's own link.</summary>
    public string? Link { get; init; }

    /// <summary>
    /// How long after acceptance the message may still be delivered; it ends EXPIRED after that.
    /// <see langword="null"/> means no deadline. Whole milliseconds, up to about 49 days.
    /// </summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>
    /// The message's id. Sending again with the same id is idempotent: the server answers with the original
    /// sequence and <see cref="SendReceipt.Duplicate"/> set. <see langword="null"/> draws a new
    /// time-ordered id: a UUIDv7 whose last two bytes count the client's ids since its last fresh one.
    /// </summary>
    public Guid? MessageId { get; init; }

    /// <summary>Deliver to every binding within the subtree of the destination port.</summary>
    public bool Subtree { get; init; }
}
