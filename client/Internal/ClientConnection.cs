using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TamTam.Client.Internal.Transfers;
using TamTam.Client.Internal.Transports;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// One connection of a <see cref="TamTamClient"/>: its transport, writer, request table, read loop and monitor.
/// The client's session outlives it (receive buffer, statuses, the duplicate filter): when it ends,
/// <see cref="Lost"/> tells the client, which resumes the session on a new connection or ends.
/// </summary>
internal sealed class ClientConnection : IAsyncDisposable
{
    private readonly IClientTransport _transport;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lifetime = new();

    // Taken once: the source is disposed with the connection, and work that got this connection just before it ended
    // (an upload starting on it) still reads the token, which is cancelled by then.
    private readonly CancellationToken _closed;
    private readonly Action<ClientConnection, TamTamConnectionException> _lost;
    private readonly TimeSpan _closeTimeout;
    private readonly FrameReadLoop _reader;
    private readonly Task _readTask;
    private readonly Task _monitorTask;
    private TamTamConnectionException? _failure;
    private int _closing;
    private int _disposed;

    public ClientConnection(TamTamClientOptions options, IClientTransport transport, SessionTerms terms, ILogger logger, TimeProvider clock,
        StatusTracker statuses, DeliveryTracker deliveries, StreamReceiver streams, HeldPartedMessages heldParted, PendingReplies replies, Channel<IncomingMessage> inbox, ChannelWriter<MessageStatus> statusFeed,
        Action<ClientConnection, TamTamConnectionException> lost)
    {
        _transport = transport;
        _logger = logger;
        _lost = lost;
        _closeTimeout = options.CloseTimeout;
        _closed = _lifetime.Token;
        Terms = terms;
        Writer = new FrameWriter(transport, exception => Fail(Lost(exception)), _lifetime.Token);
        Requests = new RequestTable(terms.MaxInflight, options.RequestTimeout, Handshake.HelloCorrelation, _lifetime.Token);
        var dispatcher = new InboundDispatcher(Requests, statuses, deliveries, Writer, statusFeed, clock, logger, streams, Transfers, heldParted, replies);

        // Acknowledgements of held messages go to this connection before its first frame is read: a redelivery
        // read here must never meet an acknowledgement still bound for the connection that ended.
        deliveries.Writer = Writer;
        streams.Writer = Writer;

        // WELCOME's max_body is what the server accepts; as the client left its own limit to the server
        // (HELLO max_body 0), frames up to that size, and never less than the protocol default, are read.
        int readLimit = Math.Max(terms.MaxBody, ProtocolLimits.DefaultMaxBody);
        _reader = new FrameReadLoop(transport.Input, readLimit, dispatcher, inbox, options.ReceiveBufferCapacity, logger);
        _readTask = SuperviseAsync(_reader.RunAsync);
        _monitorTask = SuperviseAsync(new ConnectionMonitor(Requests, _reader, terms.Heartbeat, logger).RunAsync);
    }

    public SessionTerms Terms { get; }

    public FrameWriter Writer { get; }

    public RequestTable Requests { get; }

    /// <summary>The parted transfers moving on this connection; they end with it (a resumed session starts them again).</summary>
    public TransferTable Transfers { get; } = new();

    /// <summary>Why the connection ended, or <see langword="null"/> while it is open.</summary>
    public TamTamConnectionException? Failure => Volatile.Read(ref _failure);

    public bool IsOpen => Failure is null;

    /// <summary>Fires when the connection ends, for work that waits on something else than a request of it.</summary>
    public CancellationToken Closed => _closed;

    /// <summary>
    /// Sends what is buffered (acknowledgements above all) within <paramref name="timeout"/>, ends this side, waits up
    /// to <see cref="TamTamClientOptions.CloseTimeout"/> for the server to end its own (answering nothing meanwhile),
    /// then closes the connection and fails whatever is still pending with <paramref name="reason"/>.
    /// <see cref="Lost"/> is not called.
    /// </summary>
    public async ValueTask CloseAsync(TamTamConnectionException reason, TimeSpan timeout)
    {
        Interlocked.Exchange(ref _closing, 1);
        if (IsOpen)
        {
            try
            {
                _reader.Drain();
                await Writer.CompleteAsync(reason.Again).WaitAsync(timeout).ConfigureAwait(false);
                _transport.CompleteOutput();

                // A lingering close: the server closes its side once it has read everything up to this side's end, and
                // only then is the transport released. Closing at once, with frames of the server's still unread here,
                // would reset the connection, and a reset can discard the last frames sent (acknowledgements above all)
                // before the server has read them.
                await _readTask.WaitAsync(_closeTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The server stopped reading, or did not close: what it has not read is redelivered or resent after a
                // reconnect.
            }
        }

        Fail(reason);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the loops of a connection that has failed, then releases the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Task.WhenAll(_readTask, _monitorTask).ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <summary>Ends the connection once: every waiter and loop learns why, then the client is told.</summary>
    public void Fail(TamTamConnectionException failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null)
        {
            return;
        }

        // Waiters first, then the token: a sender woken by the token must find the failure recorded.
        Requests.FailAll(failure);
        Transfers.FailAll(failure);
        Writer.Close(failure.Again);
        _lifetime.Cancel();
        _transport.Abort();
        if (Volatile.Read(ref _closing) == 0)
        {
            _lost(this, failure);
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
        catch (Exception) when (Volatile.Read(ref _closing) != 0)
        {
            // Closing: a loop that stops now (the read loop answering a frame into the closed writer, above all) must
            // not cut short the writer's last flush. CloseAsync ends the connection once what is buffered is sent.
        }
        catch (Exception exception)
        {
            Fail(Lost(exception));
        }
    }

    private async Task TryTellFatalAsync(ProtocolException violation)
    {
        try
        {
            Writer.Write(new ErrorFrame(violation.Code, violation.Detail, Fatal: true), violation.Correlation);
            await Writer.CompleteAsync(() => new TamTamConnectionException(violation.Code, violation.Detail))
                .WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or ProtocolException)
        {
            _logger.FatalNotDelivered(violation.Code, exception.Message);
        }
    }
}
