using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Sessions;
using TamTam.Protocol;

namespace TamTam.Gateway.Transports;

/// <summary>
/// The in-memory transport, for embedding and tests: each <see cref="Connect"/> creates a connected pair
/// of pipes, runs a session on the server's end and hands the client's end to the caller. The protocol,
/// limits and timers are those of every other transport; no socket is involved.
/// </summary>
/// <remarks>
/// The caller owns the returned pipe: completing its <see cref="IDuplexPipe.Output"/> is the end of the
/// client's stream (the session ends as on a closed TCP connection), and its <see cref="IDuplexPipe.Input"/>
/// completes when the session has ended. With the .NET client:
/// <c>new TamTamClientOptions { Uri = new("memory://silo"), TransportFactory = connector.ConnectAsync }</c>.
/// </remarks>
public sealed class InMemoryGatewayConnector : IAsyncDisposable
{
    /// <summary>The transport's name in logs.</summary>
    public const string TransportName = "memory";

    private readonly GatewaySessionHost _sessions;
    private readonly PipeOptions _pipeOptions;
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private readonly CancellationTokenSource _closing = new();
    private long _lastId;
    private int _disposed;

    public InMemoryGatewayConnector(GatewaySessionHost sessions, IOptions<GatewayOptions> options)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(options);
        _sessions = sessions;

        // Each reader examines a partial frame without consuming it, so neither direction may pause below
        // one whole frame of the largest size the gateway negotiates; beyond that the writer waits.
        long pause = ProtocolLimits.HeaderSize + (long)options.Value.MaxBody + 64 * 1024;
        _pipeOptions = new PipeOptions(pauseWriterThreshold: pause, resumeWriterThreshold: pause / 2, useSynchronizationContext: false);
    }

    /// <summary>Sessions started by this connector that have not ended yet.</summary>
    public int ActiveSessions => _running.Count;

    /// <summary>Opens a session and returns the client's end of its pipes.</summary>
    /// <exception cref="ObjectDisposedException">The connector was disposed.</exception>
    public IDuplexPipe Connect()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var toServer = new Pipe(_pipeOptions);
        var toClient = new Pipe(_pipeOptions);
        long id = Interlocked.Increment(ref _lastId);

        // Registered before it starts, so that its own removal cannot come first.
        var start = new Task<Task>(() => RunAsync(id, new Duplex(toServer.Reader, toClient.Writer)));
        _running[id] = start.Unwrap();
        start.Start(TaskScheduler.Default);
        return new Duplex(toClient.Reader, toServer.Writer);
    }

    /// <summary><see cref="Connect"/> in the shape of <c>TamTamClientOptions.TransportFactory</c>.</summary>
    public ValueTask<IDuplexPipe> ConnectAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Connect());
    }

    /// <summary>Tells every open session the server is stopping (error 211) and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Values).ConfigureAwait(false);
        _closing.Dispose();
    }

    private async Task RunAsync(long id, IDuplexPipe server)
    {
        try
        {
            await _sessions.RunAsync(server, $"memory-{id}", TransportName, remote: null, _closing.Token).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(id, out _);
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
