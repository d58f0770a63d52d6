using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using TamTam.Client.Internal.Transports;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// The pipelining writer. Callers encode frames into a shared buffer under a short lock and return; one
/// loop swaps that buffer with a second one and hands the whole batch to the transport in one call. While a
/// batch is on the wire the next one fills, so many concurrent senders share each socket write and nobody
/// flushes per frame. Both buffers are reused: in steady state encoding allocates nothing.
/// </summary>
internal sealed class FrameWriter
{
    private const int InitialBufferSize = 64 * 1024;

    // Producers that may wait (SEND) pause while this much is buffered and not yet taken by the loop.
    // Control frames (ACK, STATUS_ACK, PONG) never wait: the read loop writes them and must not block.
    private const int HighWatermark = 1024 * 1024;

    // A buffer that grew beyond this for a burst of large payloads is replaced rather than kept forever.
    private const int RetainedBufferLimit = 4 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly IClientTransport _transport;
    private readonly Channel<bool> _wakeUp = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Task _loop;
    private ArrayBufferWriter<byte> _pending = new(InitialBufferSize);
    private ArrayBufferWriter<byte> _sending = new(InitialBufferSize);
    private TaskCompletionSource? _drained;
    private Func<TamTamConnectionException>? _closed;

    // 1 while a wake-up is on its way to the loop: a burst of writes posts one, not one each (a channel write takes a lock).
    private int _wakeUpPosted;

    public FrameWriter(IClientTransport transport, Action<Exception> onFailure, CancellationToken abort)
    {
        _transport = transport;
        _loop = RunAsync(onFailure, abort);
    }

    /// <summary>Encodes <paramref name="frame"/> into the next batch. Never waits.</summary>
    /// <exception cref="ProtocolException">The frame breaks a field rule; nothing was written.</exception>
    /// <exception cref="TamTamConnectionException">The connection is closed.</exception>
    public void Write<T>(in T frame, uint correlation)
        where T : struct, IFrame<T>
    {
        lock (_gate)
        {
            if (_closed is not null)
            {
                throw _closed();
            }

            // On a field error the codec throws before it advances the buffer, so the batch stays whole.
            FrameCodec.Encode(_pending, frame, correlation);
        }

        if (Interlocked.Exchange(ref _wakeUpPosted, 1) == 0)
        {
            _wakeUp.Writer.TryWrite(true);
        }
    }

    /// <summary>Waits while the next batch is over its high-water mark (the transport is slower than the senders).</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        Task drained;
        lock (_gate)
        {
            if (_closed is not null)
            {
                throw _closed();
            }

            if (_pending.WrittenCount < HighWatermark)
            {
                return ValueTask.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        return new ValueTask(drained.WaitAsync(cancellationToken));
    }

    /// <summary>Stops taking frames; what is buffered is still written. Completes when the loop has ended.</summary>
    public Task CompleteAsync(Func<TamTamConnectionException> closed)
    {
        Close(closed);
        _wakeUp.Writer.TryComplete();
        return _loop;
    }

    /// <summary>Stops taking frames; later writes throw the exception <paramref name="closed"/> makes.</summary>
    public void Close(Func<TamTamConnectionException> closed)
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            _closed ??= closed;
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetException(closed());
    }

    private async Task RunAsync(Action<Exception> onFailure, CancellationToken abort)
    {
        try
        {
            while (await _wakeUp.Reader.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                _wakeUp.Reader.TryRead(out _);

                // Cleared before the buffers swap: a write after it posts again, so nothing waits unsent.
                Volatile.Write(ref _wakeUpPosted, 0);
                await SendPendingAsync(abort).ConfigureAwait(false);
            }

            // Completed: whatever was encoded before the close still goes out.
            await SendPendingAsync(abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // The connection was torn down; the failure has been reported by whoever tore it down.
        }
        catch (Exception exception)
        {
            // Socket errors above all; whatever it is, the connection cannot go on without its writer.
            onFailure(exception);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendPendingAsync(CancellationToken abort)
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            (_pending, _sending) = (_sending, _pending);
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        if (_sending.WrittenCount == 0)
        {
            return;
        }

        await _transport.SendAsync(_sending.WrittenMemory, abort).ConfigureAwait(false);
        if (_sending.Capacity > RetainedBufferLimit)
        {
            _sending = new ArrayBufferWriter<byte>(InitialBufferSize);
        }
        else
        {
            _sending.ResetWrittenCount();
        }
    }
}
