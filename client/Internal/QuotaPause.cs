namespace TamTam.Client.Internal;

/// <summary>
/// The pauses of one send whose destination inbox is full (302): 10 ms, doubling up to 1 s, for at most the
/// configured wait in total (<see cref="TamTamClientOptions.QuotaWait"/>).
/// </summary>
internal sealed class QuotaPause(TimeSpan limit, TimeProvider clock)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    private readonly long _started = clock.GetTimestamp();

    /// <summary>The next pause.</summary>
    public TimeSpan Next { get; private set; } = First;

    /// <summary>Whether another pause still fits the limit.</summary>
    public bool MayWait => limit == Timeout.InfiniteTimeSpan || (limit > TimeSpan.Zero && clock.GetElapsedTime(_started) + Next <= limit);

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Next, clock, cancellationToken).ConfigureAwait(false);
        Next = Next * 2 < Longest ? Next * 2 : Longest;
    }
}
