using Orleans.Runtime;

namespace TamTam.Gateway.Internal;

/// <summary>Which failures of a grain call mean that the silo holding the grain went away (and the grain comes back elsewhere).</summary>
internal static class ClusterFailure
{
    // The longest pause between two tries: calls to a dead silo's grains fail at once, so a short pause costs little, and
    // a caller is answered within this long of the grain being back.
    private const int MaxRetryDelayMs = 200;

    /// <summary>
    /// How long a caller waits for a grain whose silo is gone (not yet declared dead, or its grains being placed again):
    /// well within a client's connect timeout (10 s by default, 5 s in the cluster tests), so that a resume is answered
    /// WELCOME as soon as the grains are back, or 501 before the client gives up on the connection (a resume answered
    /// after that would take the session over from the client's next connection).
    /// </summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(4);

    /// <summary>
    /// True for Orleans' answers that the target silo is gone or cannot be reached: the call was not applied, and the grain
    /// is placed again on a live silo once the cluster has declared the silo dead.
    /// </summary>
    public static bool IsSiloLoss(Exception exception) => exception is SiloUnavailableException or OrleansMessageRejectionException;

    /// <summary>
    /// Makes <paramref name="call"/>, and makes it again while it fails for a silo loss, for at most <paramref name="bound"/>:
    /// until the cluster declares the silo dead, calls to its grains fail fast, and right after they succeed elsewhere. A
    /// client waiting on the answer is answered as soon as the grain is back, rather than told to come back later.
    /// </summary>
    public static async Task<T> RetryOnSiloLossAsync<T>(Func<Task<T>> call, TimeSpan bound, CancellationToken cancellationToken)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception exception) when (IsSiloLoss(exception) && System.Diagnostics.Stopwatch.GetElapsedTime(started) < bound)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * attempt, MaxRetryDelayMs)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary><see cref="RetryOnSiloLossAsync{T}"/> for a call without a result.</summary>
    public static Task RetryOnSiloLossAsync(Func<Task> call, TimeSpan bound, CancellationToken cancellationToken) =>
        RetryOnSiloLossAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, bound, cancellationToken);
}
