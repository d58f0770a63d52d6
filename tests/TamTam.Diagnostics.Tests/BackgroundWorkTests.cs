using Microsoft.Extensions.Logging;

namespace TamTam.Diagnostics.Tests;

public sealed class BackgroundWorkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_failed_background_work_is_logged_with_its_name_and_its_exception()
    {
        var log = new RecordingLogger();
        var work = new TaskCompletionSource();

        BackgroundWork.Run(work.Task, "forward statuses", log);
        work.SetException(new InvalidOperationException("the link is gone"));

        (int eventId, LogLevel level, string message, Exception? exception) = await log.First.Task.WaitAsync(Timeout);
        Assert.Equal(9001, eventId);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("forward statuses", message, StringComparison.Ordinal);
        Assert.Equal("the link is gone", Assert.IsType<InvalidOperationException>(exception).Message);
    }

    [Fact]
    public async Task A_cancelled_or_successful_background_work_is_not_logged()
    {
        var log = new RecordingLogger();
        var cancelled = new TaskCompletionSource();
        var succeeded = new TaskCompletionSource();
        var failed = new TaskCompletionSource();

        BackgroundWork.Run(cancelled.Task, "cancelled", log);
        BackgroundWork.Run(succeeded.Task, "succeeded", log);
        BackgroundWork.Run(Task.FromCanceled(new CancellationToken(canceled: true)), "cancelled before", log);
        cancelled.SetCanceled();
        succeeded.SetResult();
        // A later failure is logged; had the others been, it would not be the first record.
        BackgroundWork.Run(failed.Task, "the one failure", log);
        failed.SetException(new IOException("disk"));

        (_, _, string message, _) = await log.First.Task.WaitAsync(Timeout);
        Assert.Contains("the one failure", message, StringComparison.Ordinal);
        Assert.Equal(1, log.Count);
    }

    private sealed class RecordingLogger : ILogger
    {
        private int _count;

        public TaskCompletionSource<(int EventId, LogLevel Level, string Message, Exception? Exception)> First { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref _count);
            First.TrySetResult((eventId.Id, logLevel, formatter(state, exception), exception));
        }
    }
}
