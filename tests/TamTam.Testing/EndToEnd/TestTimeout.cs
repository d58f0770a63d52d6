namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// How long a test waits for something that should happen promptly. Nothing sleeps: everything awaits
/// an event with one of these bounds, and a missed bound fails the test with what was awaited.
/// </summary>
internal static class TestTimeout
{
    /// <summary>For one exchange (a connect, a send, a status).</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    /// <summary>For a whole batch of messages to come through, restarts included.</summary>
    public static readonly TimeSpan Batch = TimeSpan.FromSeconds(30);

    public static Task<T> Within<T>(this Task<T> task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    public static Task Within(this Task task, TimeSpan? timeout = null) => task.WaitAsync(timeout ?? Default);

    public static Task<T> Within<T>(this ValueTask<T> task, TimeSpan? timeout = null) => task.AsTask().WaitAsync(timeout ?? Default);

    public static Task Within(this ValueTask task, TimeSpan? timeout = null) => task.AsTask().WaitAsync(timeout ?? Default);
}
