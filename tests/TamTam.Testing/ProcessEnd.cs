using System.Diagnostics;

namespace TamTam.Testing;

/// <summary>
/// When a child process whose outputs are read line by line (<see cref="Process.BeginOutputReadLine"/>) has ended:
/// after its last line was handed to the output handlers, not at <see cref="Process.Exited"/>. That event is raised
/// when the process is gone, and the lines it printed last may still be on their way: a handler that fails the
/// watches on it can fail a watch whose line was printed (a quick <c>sh -c "echo a; echo b; echo c"</c> had delivered
/// fewer than its 3 lines at <c>Exited</c> 40 times in 300), and says "its output:" with nothing after it.
/// <see cref="Process.WaitForExitAsync"/> completes only once both outputs reached their end.
/// </summary>
internal static class ProcessEnd
{
    /// <summary>Runs <paramref name="ended"/> once <paramref name="process"/> (started, its outputs read) has exited and every line of it was handled.</summary>
    public static void WhenEnded(this Process process, Action ended) =>
        _ = process.WaitForExitAsync().ContinueWith(
            waited =>
            {
                // A process disposed while this waited, or just after (a fixture stopped it), has nobody left to tell:
                // its exit code can no longer be read.
                if (!waited.IsCompletedSuccessfully)
                {
                    return;
                }

                try
                {
                    ended();
                }
                catch (InvalidOperationException)
                {
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
