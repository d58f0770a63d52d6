using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TamTam.Testing.Cluster;

/// <summary>
/// The last lines one client logged (Information and up: connects, reconnect attempts, lost connections), so that a
/// failover that leaves a client behind says why in the test's failure message.
/// </summary>
internal sealed class ClientLogRecorder : ILoggerProvider, ILogger
{
    private const int Kept = 12;
    private const int ReconnectionAttemptFailed = 5016;

    private readonly Queue<string> _lines = new();
    private readonly StreamWriter? _trace;
    private int _internalErrors;

    /// <param name="traceName">With <see cref="ClusterTrace"/> on, every line also goes to this file of its directory.</param>
    public ClientLogRecorder(string? traceName = null) => _trace = traceName is null ? null : ClusterTrace.Open(traceName);

    /// <summary>The kept lines, oldest first, on one line each.</summary>
    public string Last
    {
        get
        {
            lock (_lines)
            {
                return string.Join(" | ", _lines);
            }
        }
    }

    /// <summary>
    /// Reconnection attempts the server answered 500 INTERNAL (the SDK's event 5016): a failover must answer a resume
    /// WELCOME, or 501 while the cluster recovers, never with an internal error.
    /// </summary>
    public int InternalErrors => Volatile.Read(ref _internalErrors);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string message = formatter(state, exception);
        if (eventId.Id == ReconnectionAttemptFailed && message.Contains(": 500 ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _internalErrors);
        }

        Note($"{message}{(exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})")}");
    }

    /// <summary>A line of the traffic's own (a refused send), kept and traced like the client's.</summary>
    public void Note(string text)
    {
        string line = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {text}");
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Kept)
            {
                _lines.Dequeue();
            }

            _trace?.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_lines)
        {
            _trace?.Dispose();
        }
    }
}
