using Orleans.Runtime;
using TamTam.Protocol;

namespace TamTam.Gateway.Internal;

/// <summary>
/// What a session does when a call to a grain (a link, the session directory, a stream port, a transfer) fails:
/// the one place that decides between answering the frame that caused it and leaving it to the connection's end.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A cancellation means the session is ending: nothing is answered, the connection closes and the client
/// resumes or sends again on its next connection.</item>
/// <item>A <see cref="ProtocolException"/> is the frame's own fault, found while it was decoded for the call: the
/// dispatcher answers it with its code, or closes the connection when the code is fatal.</item>
/// <item>Anything else is the cluster's: the frame is answered with 501 UNAVAILABLE (the request was not applied;
/// the client may send it again) and the connection goes on.</item>
/// </list>
/// </remarks>
internal static class GrainCallFailure
{
    /// <summary>True when the frame whose grain call threw <paramref name="exception"/> is answered with 501 UNAVAILABLE.</summary>
    public static bool IsAnsweredUnavailable(Exception exception) => exception is not (OperationCanceledException or ProtocolException);
}

/// <summary>Which failures of a grain call mean that the silo holding the grain went away (and the grain comes back elsewhere).</summary>
internal static class ClusterFailure
{
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
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 500)), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
