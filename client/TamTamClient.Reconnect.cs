using TamTam.Client.Events;
using TamTam.Client.Internal;
using TamTam.Client.Internal.Transports;
using TamTam.Diagnostics;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    // Between two JOINs refused with 205 while the old session's reservation runs out.
    private static readonly TimeSpan RejoinPause = TimeSpan.FromMilliseconds(250);

    /// <summary>A connection ended on its own: reconnect, or end the client.</summary>
    private void OnConnectionLost(ClientConnection connection, TamTamConnectionException failure)
    {
        bool disposing = Volatile.Read(ref _disposing) != 0;
        bool ownTakeover = failure.Code == ErrorCode.SessionTakenOver && Volatile.Read(ref _resumesGivenUp) > 0;
        bool reconnect = _options.Reconnect.Enabled && !disposing && (IsWorthRetrying(failure.Code) || ownTakeover);
        if (!disposing)
        {
            _logger.ConnectionLost(Uri, failure.Message, failure.InnerException);
        }

        if (!reconnect)
        {
            End(failure);
            Raise(Disconnected, new TamTamDisconnectedEventArgs(failure, willReconnect: false), nameof(Disconnected));
            BackgroundWork.Run(connection.DisposeAsync().AsTask(), "dispose the lost connection", _logger);
            return;
        }

        lock (_gate)
        {
            if (_failure is not null || !ReferenceEquals(_connection, connection))
            {
                return;
            }

            // The given-up resume is used up only by the loss of the connection in use (a loss heard before its
            // connection was installed is heard again once it is).
            if (!ownTakeover || TakeGivenUpResume())
            {
                if (_ready.Task.IsCompleted)
                {
                    _ready = new TaskCompletionSource<ClientConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                _reconnecting = Task.Run(() => ReconnectAsync(connection, failure));
                return;
            }
        }

        // Another 213 used the last given-up resume meanwhile: this one is another holder's.
        End(failure);
        Raise(Disconnected, new TamTamDisconnectedEventArgs(failure, willReconnect: false), nameof(Disconnected));
        BackgroundWork.Run(connection.DisposeAsync().AsTask(), "dispose the lost connection", _logger);
    }

    /// <summary>
    /// Codes after which dialling again cannot help: the server refused this client, not the connection; or (213) the
    /// session was resumed on another connection — by another holder of its token, since this client resumes only
    /// connections it has given up — and resuming it back would take it from that holder, who would take it back.
    /// </summary>
    private static bool IsWorthRetrying(ErrorCode code) =>
        code is not (ErrorCode.AuthFailed or ErrorCode.TokenExpired or ErrorCode.NoCommonVersion or ErrorCode.SessionTakenOver);

    /// <summary>
    /// Uses up one resume this client gave up without an answer, to excuse a 213 (docs/protocol.md section 6.1): that
    /// attempt may have reached a server that answered only after the connect timeout (its link still moving off a
    /// stopping silo), and taken the session over from the connection this client went on with. Its connection is
    /// closed, so resuming again takes the session from nobody. False when none is left.
    /// </summary>
    private bool TakeGivenUpResume()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _resumesGivenUp);
            if (left == 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _resumesGivenUp, left - 1, left) != left);

        _logger.TakenOverByGivenUpResume(Uri, left - 1);
        return true;
    }

    private async Task ReconnectAsync(ClientConnection lost, TamTamConnectionException cause)
    {
        Raise(Disconnected, new TamTamDisconnectedEventArgs(cause, willReconnect: true), nameof(Disconnected));
        await lost.DisposeAsync().ConfigureAwait(false);

        ReconnectOptions policy = _options.Reconnect;
        DateTime lostAt = DateTime.UtcNow;
        Exception last = cause;
        int attempt = 0;
        CancellationToken disposed = _disposed.Token;
        while (attempt < policy.MaxAttempts && !disposed.IsCancellationRequested)
        {
            attempt++;
            TimeSpan delay = policy.DelayBefore(attempt, Random.Shared);

            // The next endpoint in turn on each attempt: the lost (or draining) server is tried last.
            int index = _endpoints.IndexAfter(attempt);
            Uri endpoint = _endpoints[index];
            _logger.Reconnecting(endpoint, attempt, policy.MaxAttempts, delay);
            try
            {
                await Task.Delay(delay, disposed).ConfigureAwait(false);
                ClientConnection connection = await ResumeAsync(endpoint, lost.Terms, lostAt, disposed).ConfigureAwait(false);
                _endpoints.Settle(index);
                lock (_gate)
                {
                    Volatile.Write(ref _connection, connection);
                    _ready.TrySetResult(connection);
                }

                if (connection.Failure is { } again)
                {
                    // Lost again before it was installed: that loss went unheard, so start over from here.
                    OnConnectionLost(connection, again);
                    return;
                }

                string outcome = connection.Terms.Resumed ? "resumed" : "expired; a new session joined again";
                _logger.Reconnected(endpoint, attempt, connection.Terms.SessionId, outcome);
                Raise(Reconnected, new TamTamReconnectedEventArgs(connection.Terms.Resumed, attempt, connection.Terms.SessionId), nameof(Reconnected));
                return;
            }
            catch (OperationCanceledException) when (disposed.IsCancellationRequested)
            {
                break;
            }
            catch (TamTamConnectionException exception) when (!IsWorthRetrying(exception.Code))
            {
                last = exception;
                if (exception.Code == ErrorCode.SessionTakenOver && TakeGivenUpResume())
                {
                    continue; // an attempt this client gave up took the session from this one: try again
                }

                break;
            }
            catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or OperationCanceledException
                or System.Net.Sockets.SocketException)
            {
                if (exception is TimeoutException)
                {
                    // The resume token may have reached the server, which may still act on it.
                    Interlocked.Increment(ref _resumesGivenUp);
                }

                last = exception;
                _logger.ReconnectAttemptFailed(endpoint, attempt, exception.Message);
            }
        }

        if (disposed.IsCancellationRequested)
        {
            return;
        }

        string servers = _endpoints.Count == 1 ? Uri.ToString() : string.Join(", ", _options.EndpointList());
        _logger.GaveUpReconnecting(servers, attempt, last.Message);
        var failure = new TamTamReconnectException(last is TamTamException t ? t.Code : ErrorCode.None,
            $"the connection to {servers} was lost and {attempt} reconnection attempts failed; the last: {last.Message}", attempt, last);
        End(failure);
        Raise(Disconnected, new TamTamDisconnectedEventArgs(failure, willReconnect: false), nameof(Disconnected));
    }

    /// <summary>
    /// One attempt: dial, HELLO with the resume token. A session the server no longer knows (204) becomes a new
    /// session that joins the link again under the same node name, waiting out the old session's reservation (205)
    /// for at most its timeout.
    /// </summary>
    private async Task<ClientConnection> ResumeAsync(Uri endpoint, SessionTerms previous, DateTime lostAt, CancellationToken cancellationToken)
    {
        (IClientTransport transport, SessionTerms terms) = await DialAsync(_options, endpoint, previous.ResumeToken, cancellationToken).ConfigureAwait(false);
        ClientConnection connection = Open(transport, terms);
        if (terms.Resumed || Link is not { } link || Node is not { } node)
        {
            return connection;
        }

        try
        {
            DateTime giveUp = lostAt + previous.SessionTimeout + _options.ConnectTimeout;
            while (true)
            {
                try
                {
                    await RequestOnAsync(connection, new JoinFrame(Utf8Text.From(link), Utf8Text.From(node)), FrameType.Ok, cancellationToken)
                        .ConfigureAwait(false);
                    return connection;
                }
                catch (TamTamException exception) when (exception.Code == ErrorCode.NameTaken && DateTime.UtcNow < giveUp)
                {
                    await Task.Delay(RejoinPause, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await connection.CloseAsync(new TamTamConnectionException(ErrorCode.None, "rejoining after the reconnect failed"), TimeSpan.FromSeconds(1))
                .ConfigureAwait(false);
            throw;
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T args, string name)
        where T : EventArgs
    {
        try
        {
            handler?.Invoke(this, args);
        }
#pragma warning disable CA1031 // An application's handler must not break the client's reconnection.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _logger.EventHandlerFailed(name, exception);
        }
    }
}
