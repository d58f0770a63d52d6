using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Diagnostics;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Transports.Internal;

/// <summary>
/// One accepted WebSocket as the byte stream a session reads and writes (docs/protocol.md section 1).
/// </summary>
/// <remarks>
/// <para>Input: the payload of every binary message is received straight into the input pipe's pooled
/// memory, in order; message boundaries are dropped, so a frame may span messages and a message may hold
/// several frames. A text message is a protocol error: the session's input fails (the session closes
/// without a word) and this adapter sends the fatal ERROR 117 itself, after whatever the session still
/// had to say, then closes with status 1003.</para>
/// <para>Output: each batch the session flushes leaves as one binary message.</para>
/// <para>Close: a peer's Close ends the session's input like the end of a TCP stream, and is answered
/// with a Close. When the session ends first its output is sent, then a Close, and the peer's answer is
/// awaited. Sending the rest and receiving the answer get <see cref="CloseTimeout"/> each before the
/// connection is aborted.</para>
/// </remarks>
internal sealed class WebSocketSessionPipe : IDuplexPipe
{
    /// <summary>How long the peer has, once the session has ended, to take its last bytes and to answer our Close.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public const string TextMessageDetail = "text WebSocket messages are not part of the protocol";

    // The fatal ERROR a text message earns, encoded once.
    private static readonly byte[] TextMessageError = FrameCodec.ToArray(new ErrorFrame(ErrorCode.Truncated, TextMessageDetail, Fatal: true), correlation: 0);

    private const int MinimumReceiveSize = 4 * 1024;

    // Receives into 4 KiB while messages are small, which is all an idle connection holds, and into 64 KiB while the
    // previous receive filled its buffer or the message goes on: a stream of 64 KiB batches then costs 1 receive each, not 16.
    private const int LargeReceiveSize = 64 * 1024;
    private const int OutputPauseThreshold = 1024 * 1024;

    // Batches up to this size leave in one send call; larger ones (a PART) a segment per call.
    private const int MaxCoalescedSend = 256 * 1024;

    private readonly WebSocket _socket;
    private readonly string _connectionId;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private int _textReceived;

    // maxBody: the gateway's largest frame body; the input always has room for one whole frame.
    public WebSocketSessionPipe(WebSocket socket, string connectionId, int maxBody, GatewayStatistics statistics, ILogger logger)
    {
        _socket = socket;
        _connectionId = connectionId;
        _statistics = statistics;
        _logger = logger;

        // The session examines a partial frame without consuming it, so the input must never pause below one
        // whole frame; beyond that it pushes back on the peer (this loop stops receiving).
        long inputPause = ProtocolLimits.HeaderSize + (long)maxBody + 64 * 1024;
        _input = new Pipe(new PipeOptions(pauseWriterThreshold: inputPause, resumeWriterThreshold: inputPause / 2,
            useSynchronizationContext: false));

        // Bounded like Kestrel's socket output: a session whose peer does not read waits in its flush.
        _output = new Pipe(new PipeOptions(pauseWriterThreshold: OutputPauseThreshold, resumeWriterThreshold: OutputPauseThreshold / 2,
            useSynchronizationContext: false));
    }

    public PipeReader Input => _input.Reader;

    public PipeWriter Output => _output.Writer;

    /// <summary>Runs <paramref name="session"/> over this pipe, then closes the WebSocket.</summary>
    public async Task RunAsync(Func<IDuplexPipe, Task> session)
    {
        Task receiving = ReceiveLoopAsync();
        Task sending = SendLoopAsync();
        try
        {
            await session(this).ConfigureAwait(false);
        }
        finally
        {
            // The session completes both already; should it ever fail to, the loops must still end.
            await _input.Reader.CompleteAsync().ConfigureAwait(false);
            await _output.Writer.CompleteAsync().ConfigureAwait(false);

            // What the session wrote last, then the peer's answer to our Close: each gets CloseTimeout before
            // the connection is aborted (a peer that stopped reading would otherwise hold the send forever).
            await WithinOrAbortAsync(sending).ConfigureAwait(false);
            await WithinOrAbortAsync(receiving).ConfigureAwait(false);
        }
    }

    private async Task WithinOrAbortAsync(Task loop)
    {
        try
        {
            await loop.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.WebSocketCloseUnanswered(_connectionId, (long)CloseTimeout.TotalMilliseconds);
            _socket.Abort();
            await loop.ConfigureAwait(false);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        Exception? failure = null;
        bool drain = true;
        try
        {
            int size = MinimumReceiveSize;
            while (true)
            {
                Memory<byte> memory = writer.GetMemory(size);
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(memory, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // The end of the peer's stream; the session ends and the send loop answers the Close.
                    drain = false;
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Volatile.Write(ref _textReceived, 1);
                    failure = new IOException(TextMessageDetail);
                    return;
                }

                writer.Advance(result.Count);
                size = result.Count == memory.Length || !result.EndOfMessage ? LargeReceiveSize : MinimumReceiveSize;
                FlushResult flush = await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    // The session has ended and reads no more.
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Reset or aborted: the session ends as on a failed TCP connection.
            failure = exception as IOException ?? new IOException(exception.Message, exception);
            drain = false;
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

    /// <summary>Reads and drops what the peer still sends, until its Close (the answer to ours) arrives.</summary>
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
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborted after the close timeout, or reset: nothing more to read either way.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _output.Reader;
        Exception? failure = null;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await SendMessageAsync(buffer).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await CloseAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone: the session's next flush finds the output completed and stops writing.
            failure = exception;
        }
        finally
        {
            await reader.CompleteAsync(failure).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends one batch as one binary message: in one send call (copied into one buffer first when it spans the output's
    /// 4 KiB segments and is at most <see cref="MaxCoalescedSend"/> bytes), else a segment per call.
    /// </summary>
    /// <remarks>A send call is a WebSocket frame header and a write to the connection: a 64 KiB batch took 16 of them.</remarks>
    private async ValueTask SendMessageAsync(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            await _socket.SendAsync(buffer.First, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (buffer.Length <= MaxCoalescedSend)
        {
            int length = (int)buffer.Length;
            byte[] joined = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                buffer.CopyTo(joined);
                await _socket.SendAsync(joined.AsMemory(0, length), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(joined);
            }

            return;
        }

        SequencePosition position = buffer.Start;
        buffer.TryGet(ref position, out ReadOnlyMemory<byte> segment);
        while (true)
        {
            bool more = buffer.TryGet(ref position, out ReadOnlyMemory<byte> next);
            await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: !more, CancellationToken.None).ConfigureAwait(false);
            if (!more)
            {
                return;
            }

            segment = next;
        }
    }

    /// <summary>After the session's last byte: the fatal ERROR 117 for a text message, then our Close.</summary>
    private async ValueTask CloseAsync()
    {
        WebSocketState state = _socket.State;
        if (state is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        if (Volatile.Read(ref _textReceived) != 0)
        {
            _logger.WebSocketTextMessage(_connectionId);
            if (state == WebSocketState.Open)
            {
                _statistics.FrameOut(FrameType.Error);
                _statistics.ErrorSent(ErrorCode.Truncated);
                await _socket.SendAsync(TextMessageError, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }

            await _socket.CloseOutputAsync(WebSocketCloseStatus.InvalidMessageType, "text messages are not part of the protocol", CancellationToken.None)
                .ConfigureAwait(false);
            return;
        }

        // Answers the peer's Close, or closes first.
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, statusDescription: null, CancellationToken.None).ConfigureAwait(false);
    }
}
