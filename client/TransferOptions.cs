namespace TamTam.Client;

/// <summary>Choices for a parted transfer (<see cref="TamTamClient.SendStreamAsync"/>); every property is optional.</summary>
public sealed record TransferOptions
{
    /// <summary>The default <see cref="Window"/>: the server accepts at least 16 parts in flight by default.</summary>
    public const int DefaultWindow = 8;

    /// <summary>
    /// PARTs sent and not yet acknowledged, at most. More hides more latency and holds more memory (one part each,
    /// <see cref="TamTamClient.PartSize"/> bytes); above the server's window parts are refused (403) and sent again.
    /// </summary>
    public int Window { get; init; } = DefaultWindow;

    /// <summary>
    /// The payload's SHA-256, when the caller knows it. Required for a stream that cannot seek (the digest goes in the
    /// SEND, before the first part); computed with an extra read of the stream otherwise.
    /// </summary>
    public ReadOnlyMemory<byte>? Sha256 { get; init; }

    /// <summary>The payload's length in bytes. Required for a stream that cannot seek; otherwise its length from its position.</summary>
    public long? Length { get; init; }

    /// <summary>Told after each part the server has made durable (sending) or the destination has been given (receiving).</summary>
    public IProgress<TransferProgress>? Progress { get; init; }
}
