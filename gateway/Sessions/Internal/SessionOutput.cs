using System.Buffers;
using System.IO.Pipelines;
using TamTam.Gateway.Diagnostics;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The one writer of a session's transport output. Every frame the session sends — replies from the read
/// loop, PINGs from the keep-alive, later deliveries pushed from grains — is encoded here under one gate,
/// because a <see cref="PipeWriter"/> takes a single producer.
/// </summary>
/// <remarks>
/// <para>Batching: <see cref="WriteAsync{T}"/> only encodes. The read loop calls <see cref="FlushAsync"/>
/// once per read batch, so the answers to many pipelined requests leave in one socket write. A batch whose
/// output passes <see cref="FlushThreshold"/> is flushed early.</para>
/// <para>Bound: <see cref="PipeWriter.FlushAsync"/> waits while the transport holds more than its pause
/// threshold (Kestrel's socket transport: <c>MaxWriteBufferSize</c>, 1 MiB by default). The flush holds
/// the gate while it waits, so when a peer stops reading every writer of the session waits too — the read
/// loop stops reading, and TCP pushes back on the peer's own sends. What one session can hold unsent is
/// therefore the transport's threshold plus at most <see cref="FlushThreshold"/> plus one frame, never more.
/// A keep-alive that finds no frame received for three heartbeats closes such a session (error 210).</para>
/// </remarks>
internal sealed class SessionOutput : IDisposable
{
    /// <summary>Buffered bytes after which a write flushes without waiting for the end of the read batch.</summary>
    public const int FlushThreshold = 64 * 1024;

    private readonly PipeWriter _writer;
    private readonly GatewayStatistics _statistics;
    private readonly SessionCounters _counters;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _unflushed;
    private int _peerMaxBody = ProtocolLimits.HandshakeMaxBody;
    private bool _peerGone;

    public SessionOutput(PipeWriter writer, GatewayStatistics statistics, SessionCounters counters)
    {
        _writer = writer;
        _statistics = statistics;
        _counters = counters;
    }

    /// <summary>The largest body the peer accepts: the handshake limit until WELCOME, then the negotiated one.</summary>
    public int PeerMaxBody
    {
        get => Volatile.Read(ref _peerMaxBody);
        set => Volatile.Write(ref _peerMaxBody, value);
    }

    /// <summary>Encodes <paramref name="frame"/> into the output; it leaves at the next flush.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting for the gate.</exception>
    public async ValueTask WriteAsync<T>(T frame, uint correlation, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Encode(frame, correlation);
            if (_unflushed >= FlushThreshold)
            {
                await FlushUnderGateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Copies <paramref name="count"/> frames of <paramref name="type"/> that are already encoded (stream packets,
    /// encoded once for every subscriber) into the output; they leave at the next flush.
    /// </summary>
    public async ValueTask WriteEncodedAsync(ReadOnlyMemory<byte> frames, FrameType type, int count, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_peerGone)
            {
                return;
            }

            _writer.Write(frames.Span);
            _unflushed += frames.Length;
            _statistics.FrameOut(type, count);
            _counters.FrameOut(count);
            if (_unflushed >= FlushThreshold)
            {
                await FlushUnderGateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Encodes an ERROR and counts it.</summary>
    public ValueTask WriteErrorAsync(ErrorCode code, string detail, bool fatal, uint correlation, CancellationToken cancellationToken)
    {
        _statistics.ErrorSent(code);
        _counters.ErrorSent();
        return WriteAsync(new ErrorFrame(code, detail, fatal), correlation, cancellationToken);
    }

    /// <summary>Sends everything encoded so far; waits while the transport applies backpressure.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Encodes one frame and flushes it at once, as a PING from the keep-alive does.</summary>
    public async ValueTask SendAsync<T>(T frame, uint correlation, CancellationToken cancellationToken)
        where T : struct, IFrame<T>
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Encode(frame, correlation);
            await FlushUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Encode<T>(in T frame, uint correlation)
        where T : struct, IFrame<T>
    {
        if (_peerGone)
        {
            return;
        }

        long body = frame.FieldsLength + frame.Payload.Length;
        if (body > PeerMaxBody)
        {
            // A server bug, not a peer error: larger payloads travel as parts.
            throw new InvalidOperationException($"A {T.Type.WireName()} body of {body} bytes exceeds the peer's maximum of {PeerMaxBody}.");
        }

        _unflushed += FrameCodec.Encode(_writer, frame, correlation);
        _statistics.FrameOut(T.Type);
        _counters.FrameOut();
    }

    private async ValueTask FlushUnderGateAsync(CancellationToken cancellationToken)
    {
        if (_unflushed == 0 || _peerGone)
        {
            return;
        }

        FlushResult result = await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        _unflushed = 0;
        if (result.IsCompleted)
        {
            // The transport stopped reading our output: the connection is going away.
            _peerGone = true;
        }
    }
}
