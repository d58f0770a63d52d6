using TamTam.Client;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The application behind a receiving node, across as many connections as it needs. It does what
/// docs/protocol.md section 7 asks of a receiver: it processes each message id once and answers a message it
/// already processed as it did the first time (ACK) without processing it again. The client does that
/// within one connection; across a crash and a new connection only the application can, by id.
/// </summary>
/// <remarks>It records what it was handed, so tests can check both layers: the client's filter per connection and the application's across connections.</remarks>
internal sealed class ReceivingApplication
{
    private readonly Lock _gate = new();
    private readonly HashSet<Guid> _processedIds = [];
    private readonly List<IncomingMessage> _processed = [];
    private readonly List<IncomingMessage> _repeats = [];
    private readonly List<(int Connection, Guid MessageId)> _surfacedTwiceInOneConnection = [];
    private readonly List<(HashSet<Guid> Ids, TaskCompletionSource Done)> _waits = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _countWaits = [];
    private int _connections;

    /// <summary>Messages processed, in processing order, each id once.</summary>
    public IReadOnlyList<IncomingMessage> Processed
    {
        get
        {
            lock (_gate)
            {
                return [.. _processed];
            }
        }
    }

    /// <summary>Messages handed out again after the application had processed them (only possible across connections).</summary>
    public IReadOnlyList<IncomingMessage> Repeats
    {
        get
        {
            lock (_gate)
            {
                return [.. _repeats];
            }
        }
    }

    /// <summary>Ids one client handed out twice: the client's own exactly-once promise broken.</summary>
    public IReadOnlyList<(int Connection, Guid MessageId)> SurfacedTwiceInOneConnection
    {
        get
        {
            lock (_gate)
            {
                return [.. _surfacedTwiceInOneConnection];
            }
        }
    }

    public int ProcessedCount
    {
        get
        {
            lock (_gate)
            {
                return _processed.Count;
            }
        }
    }

    /// <summary>
    /// Receives on <paramref name="client"/> until the client is disposed or its connection fails (a silo
    /// crash), acknowledging every message. Start it and keep the task: it completes when the connection ends.
    /// </summary>
    public Task RunAsync(TamTamClient client) => Task.Run(async () =>
    {
        int connection = Interlocked.Increment(ref _connections);
        var surfaced = new HashSet<Guid>();
        try
        {
            await foreach (IncomingMessage message in client.ReceiveAsync())
            {
                Handle(connection, surfaced, message);
                await message.AckAsync();
            }
        }
        catch (TamTamConnectionException)
        {
            // The connection died under the receiver: what it did not acknowledge comes again on the next one.
        }
    });

    /// <summary>Completes when every id of <paramref name="ids"/> has been processed; fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(IEnumerable<Guid> ids, TimeSpan timeout)
    {
        var missing = new HashSet<Guid>(ids);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            missing.ExceptWith(_processedIds);
            if (missing.Count == 0)
            {
                return;
            }

            _waits.Add((missing, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            int left;
            lock (_gate)
            {
                left = missing.Count;
            }

            Assert.Fail($"{left} messages were not processed within {timeout} ({ProcessedCount} were).");
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> messages have been processed.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan timeout)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_processed.Count >= count)
            {
                return;
            }

            _countWaits.Add((count, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Fewer than {count} messages were processed within {timeout} ({ProcessedCount} were).");
        }
    }

    private void Handle(int connection, HashSet<Guid> surfaced, IncomingMessage message)
    {
        List<TaskCompletionSource>? completed = null;
        lock (_gate)
        {
            if (!surfaced.Add(message.MessageId))
            {
                _surfacedTwiceInOneConnection.Add((connection, message.MessageId));
            }

            if (!_processedIds.Add(message.MessageId))
            {
                _repeats.Add(message);
                return;
            }

            _processed.Add(message);
            for (int i = _waits.Count - 1; i >= 0; i--)
            {
                (HashSet<Guid> ids, TaskCompletionSource done) = _waits[i];
                if (ids.Remove(message.MessageId) && ids.Count == 0)
                {
                    (completed ??= []).Add(done);
                    _waits.RemoveAt(i);
                }
            }

            for (int i = _countWaits.Count - 1; i >= 0; i--)
            {
                if (_processed.Count >= _countWaits[i].Count)
                {
                    (completed ??= []).Add(_countWaits[i].Reached);
                    _countWaits.RemoveAt(i);
                }
            }
        }

        completed?.ForEach(tcs => tcs.TrySetResult());
    }
}
