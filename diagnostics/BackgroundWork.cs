using Microsoft.Extensions.Logging;
using TamTam.Diagnostics.Internal;

namespace TamTam.Diagnostics;

/// <summary>
/// Work that runs on while its starter goes on (a push to other grains, a part sent again, a lost connection
/// disposed), named and observed: its failure is logged with its name instead of vanishing with an unobserved task.
/// </summary>
/// <remarks>
/// Use it where the caller must not wait, and the work has nobody else to report to. A cancellation is the work's
/// owner ending it (a session closing, a silo stopping): it is not a failure and is not logged. The work should
/// handle the failures it expects itself (retry, answer a frame); what reaches this is the unexpected.
/// </remarks>
public static class BackgroundWork
{
    /// <summary>
    /// Observes <paramref name="work"/>: when it faults, logs the exception as <c>background work "name" failed</c>
    /// (event 9001, error) through <paramref name="logger"/>. Returns at once.
    /// </summary>
    /// <param name="work">The started work.</param>
    /// <param name="name">What the work does, in a few words: <c>"forward statuses"</c>.</param>
    /// <param name="logger">The starter's logger, so the failure is logged under its category.</param>
    public static void Run(Task work, string name, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(logger);
        if (work.IsCompletedSuccessfully || work.IsCanceled)
        {
            return;
        }

        // The continuation runs on the thread pool whatever scheduler started the work (a grain's, a session's):
        // logging is all it does.
        work.ContinueWith(
            static (finished, state) =>
            {
                var (name, logger) = ((string, ILogger))state!;
                Exception failure = finished.Exception!.InnerExceptions.Count == 1 ? finished.Exception.InnerException! : finished.Exception;
                if (failure is not OperationCanceledException)
                {
                    BackgroundWorkLog.Failed(logger, failure, name);
                }
            },
            (name, logger),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
