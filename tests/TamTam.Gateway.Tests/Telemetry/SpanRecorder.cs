using System.Collections.Concurrent;
using System.Diagnostics;

namespace TamTam.Gateway.Tests.Telemetry;

/// <summary>
/// Records the activities of the named sources as they stop, in this process (an <see cref="ActivityListener"/> sees every
/// test's: tests pick theirs by message id).
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly SemaphoreSlim _added = new(0);

    public SpanRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                _stopped.Enqueue(activity);
                _added.Release();
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The first stopped span named <paramref name="name"/> tagged with <paramref name="messageId"/>, waited for up to <paramref name="timeout"/>.</summary>
    public async Task<Activity> WaitForAsync(string name, Guid messageId, TimeSpan timeout)
    {
        string id = messageId.ToString();
        using var expiry = new CancellationTokenSource(timeout);
        while (true)
        {
            foreach (Activity activity in _stopped)
            {
                if (activity.OperationName == name && Equals(activity.GetTagItem("tamtam.message.id"), id))
                {
                    return activity;
                }
            }

            try
            {
                await _added.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No span {name} of message {id} within {timeout}; seen: {string.Join(", ", _stopped.Select(a => a.OperationName))}");
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _added.Dispose();
    }
}
