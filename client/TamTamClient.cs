using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TamTam.Client.Internal;
using TamTam.Client.Internal.Transfers;
using TamTam.Client.Internal.Transports;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

/// <summary>
/// A node's connection to a TamTam interchange. One client is one session on one connection; it is safe to
/// use from many threads at once, and concurrent calls share the connection: requests are pipelined and
/// their frames batched into shared socket writes.
/// </summary>
/// <remarks>
/// Typical use: <see cref="ConnectAsync"/>, <see cref="JoinAsync"/> a link under a node name,
/// <see cref="BindAsync"/> the ports to receive on, then <see cref="SendAsync"/> and
/// <see cref="ReceiveAsync"/>. When the connection ends every pending and later call fails with
/// <see cref="TamTamConnectionException"/>; reconnecting means a new client.
/// </remarks>
public sealed partial class TamTamClient : IAsyncDisposable
{
    private readonly TamTamClientOptions _options;
    private readonly SessionTerms _terms;
    private readonly IClientTransport _transport;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly FrameWriter _writer;
    private readonly RequestTable _requests;
    private readonly StatusTracker _statuses = new();
    private readonly TransferTable _transfers = new();
    private readonly DeliveryTracker _deliveries;
    private readonly Utf8NameEncoder _names = new();
    private readonly Channel<IncomingMessage> _inbox;
    private readonly Channel<MessageStatus> _statusFeed;
    private readonly FrameReadLoop _reader;
    private readonly Task _readTask;
    private readonly Task _monitorTask;
    private TamTamConnectionException? _failure;
    private int _disposing;

    private TamTamClient(TamTamClientOptions options, IClientTransport transport, SessionTerms terms, ILogger logger)
    {
        _options = options;
        _transport = transport;
        _terms = terms;
        _logger = logger;
        _inbox = Channel.CreateBounded<IncomingMessage>(new BoundedChannelOptions(options.ReceiveBufferCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        _statusFeed = Channel.CreateBounded<MessageStatus>(new BoundedChannelOptions(options.StatusBufferCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });

        _writer = new FrameWriter(transport, exception => Fail(Lost(exception)), _lifetime.Token);
        _requests = new RequestTable(terms.MaxInflight, options.RequestTimeout, Handshake.HelloCorrelation, _lifetime.Token);
        _deliveries = new DeliveryTracker(_writer);
        var dispatcher = new InboundDispatcher(_requests, _statuses, _deliveries, _writer, _statusFeed.Writer, _clock, logger, _transfers);

        // WELCOME's max_body is what the server accepts; as the client left its own limit to the server
        // (HELLO max_body 0), frames up to that size, and never less than the protocol default, are read.
        int readLimit = Math.Max(terms.MaxBody, ProtocolLimits.DefaultMaxBody);
        _reader = new FrameReadLoop(transport.Input, readLimit, dispatcher, _inbox.Writer, options.ReceiveBufferCapacity, logger);
        _readTask = SuperviseAsync(_reader.RunAsync);
        _monitorTask = SuperviseAsync(new ConnectionMonitor(_requests, _reader, _writer, terms.Heartbeat, _clock, logger).RunAsync);
    }

    /// <summary>The session's id, as WELCOME announced it.</summary>
    public Guid SessionId => _terms.SessionId;

    /// <summary>The server's free-form identifier.</summary>
    public string ServerName => _terms.ServerName;

    /// <summary>The largest frame body the server accepts; a SEND whose payload does not fit fails with 303.</summary>
    public int MaxBody => _terms.MaxBody;

    /// <summary>How many SENDs may await ACCEPTED at once (0: the server set no limit). Further sends wait for a slot.</summary>
    public uint MaxInflight => _terms.MaxInflight;

    /// <summary>The server this client is connected to.</summary>
    public Uri Uri => _options.Uri;

    /// <summary>The link joined by <see cref="JoinAsync"/>, or <see langword="null"/>.</summary>
    public string? Link { get; private set; }

    /// <summary>The node name joined under, or <see langword="null"/>.</summary>
    public string? Node { get; private set; }

    /// <summary>False once the connection has ended (see <see cref="TamTamConnectionException"/>).</summary>
    public bool IsConnected => Volatile.Read(ref _failure) is null;

    /// <summary>
    /// Opens the transport named by <see cref="TamTamClientOptions.Uri"/> (or made by
    /// <see cref="TamTamClientOptions.TransportFactory"/>) and performs the HELLO/WELCOME handshake, all within
    /// <see cref="TamTamClientOptions.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the property).</exception>
    /// <exception cref="TamTamConnectionException">The server refused the session (e.g. 201 AUTH_FAILED) or is unreachable.</exception>
    /// <exception cref="TimeoutException">The connection or handshake took longer than the connect timeout.</exception>
    public static async ValueTask<TamTamClient> ConnectAsync(TamTamClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ILogger logger = options.LoggerFactory?.CreateLogger<TamTamClient>() ?? NullLogger<TamTamClient>.Instance;

        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(options.ConnectTimeout);
        IClientTransport? transport = null;
        try
        {
            transport = await ClientTransports.ConnectAsync(options, connectTimeout.Token).ConfigureAwait(false);
            SessionTerms terms = await Handshake.RunAsync(transport, options, connectTimeout.Token).ConfigureAwait(false);
            logger.Connected(options.Uri, terms.SessionId, terms.ServerName, terms.MaxBody, terms.MaxInflight);
            return new TamTamClient(options, transport, terms, logger);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw new TimeoutException($"Connecting to {options.Uri} took longer than {options.ConnectTimeout}.", exception);
        }
        catch (Exception exception) when (exception is IOException or System.Net.Sockets.SocketException)
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw new TamTamConnectionException(ErrorCode.None, $"connecting to {options.Uri} failed: {exception.Message}", exception);
        }
        catch
        {
            await DisposeQuietlyAsync(transport).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends what is buffered (acknowledgements above all), closes the connection and fails whatever is
    /// still pending with <see cref="TamTamConnectionException"/>. It does not LEAVE the link: the session
    /// stays resumable for the server's session timeout, and unacknowledged deliveries are delivered again.
    /// <see cref="ReceiveAsync"/> ends normally.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        var disposed = new TamTamConnectionException(ErrorCode.None, "the client was disposed");
        if (IsConnected)
        {
            try
            {
                await _writer.CompleteAsync(disposed.Again).WaitAsync(_options.ConnectTimeout).ConfigureAwait(false);
                _transport.CompleteOutput();
            }
            catch (TimeoutException)
            {
                // The server stopped reading: what is left unsent is redelivered or resent after a reconnect.
            }

            _logger.ConnectionClosed(_options.Uri);
        }

        Fail(disposed);
        await Task.WhenAll(_readTask, _monitorTask).ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"TamTamClient {_options.Uri} session {SessionId}";

    private static async ValueTask DisposeQuietlyAsync(IClientTransport? transport)
    {
        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TamTamConnectionException Lost(Exception exception) =>
        exception as TamTamConnectionException
        ?? new TamTamConnectionException(ErrorCode.None, $"the connection was lost: {exception.Message}", exception);

    /// <summary>Runs one of the connection's loops; whatever ends it ends the connection.</summary>
    private async Task SuperviseAsync(Func<CancellationToken, Task> loop)
    {
        try
        {
            await loop(_lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Torn down by Fail: the cause is recorded there.
        }
        catch (TamTamConnectionException exception) when (exception.InnerException is ProtocolException { IsFatal: true } violation)
        {
            // The server's framing broke: tell it why (docs/protocol.md section 4) before closing.
            await TryTellFatalAsync(violation).ConfigureAwait(false);
            Fail(exception);
        }
        catch (Exception exception)
        {
            Fail(Volatile.Read(ref _disposing) != 0 ? new TamTamConnectionException(ErrorCode.None, "the client was disposed") : Lost(exception));
        }
    }

    private async Task TryTellFatalAsync(ProtocolException violation)
    {
        try
        {
            _writer.Write(new ErrorFrame(violation.Code, violation.Detail, Fatal: true), violation.Correlation);
            await _writer.CompleteAsync(() => new TamTamConnectionException(violation.Code, violation.Detail))
                .WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or ProtocolException)
        {
            // Best effort: the connection is going down either way.
        }
    }

    /// <summary>Ends the connection once: every waiter, buffer and loop learns why.</summary>
    private void Fail(TamTamConnectionException failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null)
        {
            return;
        }

        bool disposing = Volatile.Read(ref _disposing) != 0;
        if (!disposing)
        {
            _logger.ConnectionLost(_options.Uri, failure.Message, failure.InnerException);
        }

        // Waiters first, then the token: a sender woken by the token must find the failure recorded.
        _requests.FailAll(failure);
        _statuses.FailAll(failure);
        _transfers.FailAll(failure);
        _writer.Close(failure.Again);
        _inbox.Writer.TryComplete(disposing ? null : failure);
        _statusFeed.Writer.TryComplete(disposing ? null : failure);
        _lifetime.Cancel();
        _transport.Abort();
    }

    private void ThrowIfClosed()
    {
        TamTamConnectionException? failure = Volatile.Read(ref _failure);
        if (failure is not null)
        {
            throw failure.Again();
        }
    }
}
