using TamTam.Protocol;

namespace TamTam.Gateway.Diagnostics;

/// <summary>
/// The gateway's running totals as plain numbers, for HEALTH_REPORT and <c>/healthz</c>. One instance per
/// host (a DI singleton); every update also goes to the <see cref="GatewayMetrics"/> instruments.
/// </summary>
/// <remarks>
/// "Messages" in HEALTH_REPORT's <c>silo.messages_in</c>/<c>silo.messages_out</c> are frames: every frame
/// received or sent, whatever its type.
/// </remarks>
public sealed class GatewayStatistics
{
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly long _startedAt;
    private long _sessions;
    private long _framesIn;
    private long _framesOut;
    private long _errors;

    public GatewayStatistics(GatewayMetrics metrics, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _metrics = metrics;
        _timeProvider = timeProvider;
        _startedAt = timeProvider.GetTimestamp();
    }

    /// <summary>The instruments every update also goes to.</summary>
    internal GatewayMetrics Metrics => _metrics;

    /// <summary>Time since the gateway was created, which is when its host started.</summary>
    public TimeSpan Uptime => _timeProvider.GetElapsedTime(_startedAt);

    /// <summary>Sessions past WELCOME and not yet closed.</summary>
    public long Sessions => Volatile.Read(ref _sessions);

    /// <summary>Frames received on every session since start.</summary>
    public long FramesIn => Volatile.Read(ref _framesIn);

    /// <summary>Frames sent on every session since start.</summary>
    public long FramesOut => Volatile.Read(ref _framesOut);

    /// <summary>ERROR frames sent on every session since start.</summary>
    public long Errors => Volatile.Read(ref _errors);

    internal void SessionOpened()
    {
        Interlocked.Increment(ref _sessions);
        _metrics.SessionOpened();
    }

    internal void SessionClosed()
    {
        Interlocked.Decrement(ref _sessions);
        _metrics.SessionClosed();
    }

    internal void FrameIn(FrameType type)
    {
        Interlocked.Increment(ref _framesIn);
        _metrics.FrameIn(type);
    }

    internal void FrameOut(FrameType type, int count = 1)
    {
        Interlocked.Add(ref _framesOut, count);
        _metrics.FrameOut(type, count);
    }

    internal void ErrorSent(ErrorCode code)
    {
        Interlocked.Increment(ref _errors);
        _metrics.ErrorSent(code);
    }
}
