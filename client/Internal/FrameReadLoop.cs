using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// Reads frames off the transport and hands each to the <see cref="InboundDispatcher"/>. Deliveries go into
/// the receive buffer without waiting for the application: the loop never stops reading, because the replies
/// to this client's own requests (JOIN, BIND, SEND), the parts of a message being received and the server's
/// PINGs follow the deliveries on the same connection. What waits in the buffer is bounded by the server, which
/// sends a node at most its delivery window of unacknowledged messages (docs/protocol.md section 5.12).
/// </summary>
internal sealed class FrameReadLoop
{
    private readonly PipeReader _input;
    private readonly int _maxBody;
    private readonly InboundDispatcher _dispatcher;
    private readonly Channel<IncomingMessage> _inbox;
    private readonly int _inboxCapacity;
    private readonly ILogger _logger;
    private long _lastReceived = Environment.TickCount64;
    private int _draining;

    public FrameReadLoop(PipeReader input, int maxBody, InboundDispatcher dispatcher, Channel<IncomingMessage> inbox, int inboxCapacity, ILogger logger)
    {
        _input = input;
        _maxBody = maxBody;
        _dispatcher = dispatcher;
        _inbox = inbox;
        _inboxCapacity = inboxCapacity;
        _logger = logger;
    }

    /// <summary><see cref="Environment.TickCount64"/> when bytes last arrived.</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    /// <summary>
    /// From now on frames are read and dropped until the server closes its side: a closing client answers nothing
    /// more (what it has not acknowledged is delivered again), but it reads on, so that closing does not reset a
    /// connection whose last frames the server has not read yet. <see cref="RunAsync"/> then returns.
    /// </summary>
    public void Drain() => Volatile.Write(ref _draining, 1);

    /// <summary>Runs until the server closes the connection or <paramref name="cancellationToken"/> fires.</summary>
    /// <exception cref="TamTamConnectionException">The connection ended, cleanly or not.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastReceived, Environment.TickCount64);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (Volatile.Read(ref _draining) != 0)
            {
                _input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }

                continue;
            }

            try
            {
                while (Volatile.Read(ref _draining) == 0 && FrameReader.TryReadFrame(ref buffer, _maxBody, out Frame frame))
                {
                    IncomingMessage? message = _dispatcher.Dispatch(frame);
                    if (message is null)
                    {
                        continue;
                    }

                    if (!_inbox.Writer.TryWrite(message))
                    {
                        // The client is ending: the message stays unacknowledged and is delivered again.
                        message.Abandon();
                    }
                    else if (_inbox.Reader.Count == _inboxCapacity)
                    {
                        _logger.ApplicationBehind(_inboxCapacity);
                    }
                }

                if (result.IsCompleted && Volatile.Read(ref _draining) == 0)
                {
                    FrameReader.EnsureNothingPending(buffer);
                    throw new TamTamConnectionException(ErrorCode.None, "the server closed the connection");
                }
            }
            catch (ProtocolException exception)
            {
                // Only header errors and truncation escape the dispatcher: the framing is lost.
                throw new TamTamConnectionException(exception.Code, exception.Detail, exception);
            }
            catch (TamTamConnectionException) when (Volatile.Read(ref _draining) != 0)
            {
                // An answer to a frame read as the close began met the closed writer: it is not needed.
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                _dispatcher.EndOfRead();
            }
        }
    }
}
