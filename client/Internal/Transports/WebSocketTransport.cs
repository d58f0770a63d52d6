using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using TamTam.Protocol;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// The wire protocol over a WebSocket (<c>ws://host:port/ws</c>, <c>wss://…</c>): each batch of frames leaves
/// as one binary message; received binary payloads are appended to <see cref="Input"/> in order, message
/// boundaries dropped (docs/protocol.md section 1). A text message from the server is the fatal error 117.
/// </summary>
/// <remarks>
/// TLS (<c>wss://</c>) is <see cref="ClientWebSocket"/>'s own; the server's certificate is judged as on
/// <c>tamtams://</c> (<see cref="ServerCertificateTrust"/>), set up in <see cref="Configure"/>, the one place the
/// socket is set up.
/// </remarks>
internal sealed class WebSocketTransport : IClientTransport
{
    /// <summary>How long closing waits for the server's Close before the connection is aborted.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private const string TextMessageDetail = "the server sent a text WebSocket message; text messages are not part of the protocol";
    private const int MinimumReceiveSize = 4 * 1024;

    // Receives into 4 KiB while messages are small, which is all an idle connection holds, and into 64 KiB while the
    // previous receive filled its buffer or the message goes on: a stream of 64 KiB batches then costs 1 receive each, not 16.
    private const int LargeReceiveSize = 64 * 1024;

    // The read loop examines a partial frame without consuming it, so the input never pauses below one
    // frame of the largest size a server may announce; beyond that the receive loop stops and TCP pushes back.
    private const long InputPauseThreshold = ProtocolLimits.HeaderSize + (long)ProtocolLimits.MaxBodyCeiling + 64 * 1024;

    private readonly ClientWebSocket _socket;
    private readonly Pipe _input = new(new PipeOptions(pauseWriterThreshold: InputPauseThreshold,
        resumeWriterThreshold: InputPauseThreshold / 2, useSynchronizationContext: false));

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Task _receiving;
    private Task? _closeSent;
    private Task? _closing;

    private WebSocketTransport(ClientWebSocket socket)
    {
        _socket = socket;
        _receiving = ReceiveLoopAsync();
    }

    public PipeReader Input => _input.Reader;

    /// <exception cref="TamTamConnectionException">The server cannot be reached or refused the upgrade.</exception>
    public static async ValueTask<IClientTransport> ConnectAsync(TamTamClientOptions options, CancellationToken cancellationToken)
    {
        Uri uri = options.Uri;
        var socket = new ClientWebSocket();
        try
        {
            Configure(socket.Options, options);
            await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
            return new WebSocketTransport(socket);
        }
        catch (WebSocketException exception)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TamTamConnectionException(ErrorCode.None, $"cannot connect to {uri}: {exception.Message}", exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _closeSent) is not null)
            {
                throw new IOException("the transport is closed");
            }

            await _socket.SendAsync(batch, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException exception)
        {
            throw new IOException(exception.Message, exception);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a Close; what the server still sends is read until its own Close.</summary>
    public void CompleteOutput() => SendCloseOnce();

    /// <summary>Closes without waiting: a Close if the connection is still open, then an abort after <see cref="CloseTimeout"/>.</summary>
    public void Abort()
    {
        lock (_gate)
        {
            _closing ??= CloseAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Nobody reads any more: the receive loop drops what still arrives until the server's Close.
        await _input.Reader.CompleteAsync().ConfigureAwait(false);
        Abort();
        await _closing!.ConfigureAwait(false);
        await _receiving.ConfigureAwait(false);
        _socket.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>The one place a connection's <see cref="ClientWebSocket"/> is set up.</summary>
    private static void Configure(ClientWebSocketOptions socket, TamTamClientOptions options)
    {
        // The protocol's own PING/PONG keeps the session alive; WebSocket pings would only add traffic.
        socket.KeepAliveInterval = TimeSpan.Zero;
        if (ServerCertificateTrust.For(options) is { } validation)
        {
            socket.RemoteCertificateValidationCallback = validation;
        }
    }

    private Task SendCloseOnce()
    {
        lock (_gate)
        {
            return _closeSent ??= SendCloseAsync();
        }
    }

    private async Task SendCloseAsync()
    {
        // Not under the caller's lock: wait for a send in progress, bounded in case the server stopped reading.
        if (!await _sendLock.WaitAsync(CloseTimeout).ConfigureAwait(false))
        {
            _socket.Abort();
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, statusDescription: null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Cancelling a WebSocket operation aborts the connection: closed either way.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseAsync()
    {
        await SendCloseOnce().ConfigureAwait(false);
        try
        {
            await _receiving.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        Exception? failure = null;
        bool drain = false;
        try
        {
            int size = MinimumReceiveSize;
            while (true)
            {
                Memory<byte> memory = writer.GetMemory(size);
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(memory, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // The end of the server's stream: answered before the read loop learns of it.
                    await SendCloseOnce().ConfigureAwait(false);
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    // The read loop throws this; the client tells the server 117 (fatal) and closes.
                    failure = new TamTamConnectionException(ErrorCode.Truncated, TextMessageDetail,
                        new ProtocolException(ErrorCode.Truncated, TextMessageDetail));
                    drain = true;
                    return;
                }

                writer.Advance(result.Count);
                size = result.Count == memory.Length || !result.EndOfMessage ? LargeReceiveSize : MinimumReceiveSize;
                FlushResult flush = await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    drain = true;
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            failure = exception as IOException ?? new IOException(exception.Message, exception);
        }
        finally
        {
            await writer.CompleteAsync(failure).ConfigureAwait(false);
            if (drain)
            {
                await DrainUntilCloseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads and drops what the server still sends, until its Close.</summary>
    private async Task DrainUntilCloseAsync()
    {
        byte[] scratch = ArrayPool<byte>.Shared.Rent(MinimumReceiveSize);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(scratch.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await SendCloseOnce().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted after the close timeout, or reset.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
