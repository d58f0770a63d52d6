using Microsoft.Extensions.Logging;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Station.Internal;

/// <summary>
/// The station's session at one interchange, kept up: connect, HELLO, STATION_REGISTER with the hosted links, then read until the connection ends; wait (doubling up to a limit) and again.
/// What the interchange sends goes to the <see cref="StationRouter"/>; what the station sends goes through
/// <see cref="StartRequestAsync{T}"/> and <see cref="TryWriteAsync{T}"/> on the connection of the moment.
/// </summary>
internal sealed class UpstreamConnector
{
    private const string ClientName = "tamtam-station/1";

    private readonly StationOptions _options;
    private readonly StationUpstream _upstream;
    private readonly Func<UpstreamConnector, IReadOnlyList<UpstreamEvent>, ValueTask> _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _firstRegistration = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile UpstreamConnection? _connection;
    private int _registrations;

    public UpstreamConnector(int index, StationOptions options, Func<UpstreamConnector, IReadOnlyList<UpstreamEvent>, ValueTask> events,
        ILogger logger, TimeProvider time)
    {
        Index = index;
        _options = options;
        _upstream = options.Upstreams[index];
        _events = events;
        _logger = logger;
        _time = time;
    }

    /// <summary>Its place in <see cref="StationOptions.Upstreams"/>.</summary>
    public int Index { get; }

    /// <summary>Where it connects.</summary>
    public Uri Endpoint => _upstream.Endpoint;

    /// <summary>True while registered on a live connection.</summary>
    public bool IsRegistered => _connection is not null;

    /// <summary>How many times the station registered at this interchange since it started.</summary>
    public int Registrations => Volatile.Read(ref _registrations);

    /// <summary>Completes at the first registration.</summary>
    public Task FirstRegistration => _firstRegistration.Task;

    /// <summary>The connection the station is registered on now, or <see langword="null"/>.</summary>
    public UpstreamConnection? Connection => _connection;

    /// <summary>The last refusal, when the interchange refused the station (kept trying).</summary>
    public string? LastRefusal { get; private set; }

    /// <summary>Keeps the session up until <paramref name="cancellationToken"/> ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay = _options.ReconnectDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            bool registered = false;
            try
            {
                await using UpstreamConnection connection = await UpstreamConnection.ConnectAsync(_upstream.Endpoint, cancellationToken).ConfigureAwait(false);
                using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Task reading = connection.RunAsync(e => _events(this, e), session.Token);
                try
                {
                    await RegisterAsync(connection, cancellationToken).ConfigureAwait(false);
                    registered = true;
                    delay = _options.ReconnectDelay;
                    _connection = connection;
                    Interlocked.Increment(ref _registrations);
                    _firstRegistration.TrySetResult();
                    StationLog.Registered(_logger, _options.Name, _upstream.Endpoint, _options.Links.Count);
                    await reading.ConfigureAwait(false);
                }
                finally
                {
                    _connection = null;
                    await session.CancelAsync().ConfigureAwait(false);
                    await reading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (UpstreamRefusedException e)
            {
                LastRefusal = e.Message;
                StationLog.Refused(_logger, _options.Name, _upstream.Endpoint, e.Message);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or ProtocolException or OperationCanceledException)
            {
                StationLog.ConnectionLost(_logger, _options.Name, _upstream.Endpoint, e.Message);
            }

            if (registered)
            {
                StationLog.Unregistered(_logger, _options.Name, _upstream.Endpoint);
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>
    /// Writes <paramref name="frame"/> as a request on the current connection and returns its reply's task, or
    /// <see langword="null"/> when the station is not registered here now.
    /// </summary>
    public async Task<Task<UpstreamReply>?> StartRequestAsync<T>(T frame, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        if (_connection is not { } connection)
        {
            return null;
        }

        try
        {
            return await connection.StartRequestAsync(frame, _options.UpstreamSendTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="frame"/> (an ACK, NACK, STATUS_ACK, CLAIM or PASS); false when it could not be written.</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="cancellationToken">Ends the write.</param>
    /// <param name="correlation">The correlation of the frame it answers (a PART_ACK's PART's), or none: a new one.</param>
    public async Task<bool> TryWriteAsync<T>(T frame, CancellationToken cancellationToken, uint? correlation = null)
        where T : struct, IFrame<T>
    {
        if (_connection is not { } connection)
        {
            return false;
        }

        try
        {
            await connection.WriteAsync(frame, correlation ?? connection.NextCorrelation(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Writes frames encoded already (STREAMs, which nothing answers); false when they could not be written.</summary>
    public async Task<bool> TryWriteEncodedAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken)
    {
        if (_connection is not { } connection)
        {
            return false;
        }

        try
        {
            await connection.WriteEncodedAsync(frames, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private async Task RegisterAsync(UpstreamConnection connection, CancellationToken cancellationToken)
    {
        // A station session is not resumable (docs/protocol.md section 5.18): every connection is a new session that
        // registers again, and the interchange sends again what the station had not acknowledged.
        byte[] token = System.Text.Encoding.UTF8.GetBytes(_upstream.Token);
        await connection.WriteAsync(new HelloFrame(1, 1, 0, 0, ClientName, token, ReadOnlyMemory<byte>.Empty), connection.NextCorrelation(), cancellationToken)
            .ConfigureAwait(false);
        await connection.Welcome.WaitAsync(_options.UpstreamSendTimeout, cancellationToken).ConfigureAwait(false);
        var links = new Utf8Text[_options.RegisterLinks ? _options.Links.Count : 0];
        for (int i = 0; i < links.Length; i++)
        {
            links[i] = Utf8Text.Name(_options.Links[i]);
        }

        UpstreamReply reply = await await connection.StartRequestAsync(new StationRegisterFrame(Utf8Text.Name(_options.Name), links),
            _options.UpstreamSendTimeout, cancellationToken).ConfigureAwait(false);
        if (reply.IsError)
        {
            throw new UpstreamRefusedException(reply.Code, reply.Detail);
        }
    }
}
