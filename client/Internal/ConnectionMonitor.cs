using Microsoft.Extensions.Logging;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// One timer for the whole connection: fails requests whose reply is overdue (so no request needs a timer
/// of its own) and declares the server gone when nothing has arrived for three heartbeat intervals
/// (docs/protocol.md section 6.3; the server pings every interval, so silence means it is gone).
/// </summary>
/// <remarks>
/// While the application is behind and the reader pauses, the server's PINGs go unread and unanswered,
/// and a server closes a connection it has heard nothing from for three heartbeats. So while the reader
/// is paused the monitor sends a PING of its own every heartbeat (correlation 0: its PONG is not awaited),
/// which keeps the session alive for an application that is slow, not gone.
/// </remarks>
internal sealed class ConnectionMonitor
{
    private static readonly TimeSpan LongestTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShortestTick = TimeSpan.FromMilliseconds(50);

    private readonly RequestTable _requests;
    private readonly FrameReadLoop _reader;
    private readonly FrameWriter _writer;
    private readonly TimeProvider _clock;
    private readonly long _idleLimitMs;
    private readonly TimeSpan _heartbeat;
    private readonly TimeSpan _tick;
    private readonly ILogger _logger;
    private long _lastKeepAlive = Environment.TickCount64;

    public ConnectionMonitor(RequestTable requests, FrameReadLoop reader, FrameWriter writer, TimeSpan heartbeat, TimeProvider clock, ILogger logger)
    {
        _requests = requests;
        _reader = reader;
        _writer = writer;
        _clock = clock;
        _heartbeat = heartbeat;
        _idleLimitMs = heartbeat > TimeSpan.Zero ? (long)(3 * heartbeat.TotalMilliseconds) : 0;
        _logger = logger;

        TimeSpan tick = LongestTick;
        if (requests.Timeout != Timeout.InfiniteTimeSpan)
        {
            tick = Min(tick, requests.Timeout / 4);
        }

        if (heartbeat > TimeSpan.Zero)
        {
            tick = Min(tick, heartbeat / 2);
        }

        _tick = tick < ShortestTick ? ShortestTick : tick;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the server falls silent.</summary>
    /// <exception cref="TamTamConnectionException">Nothing arrived for three heartbeat intervals.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_tick);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            long now = Environment.TickCount64;
            foreach ((FrameType request, uint correlation) in _requests.ExpireOverdue(now))
            {
                _logger.RequestTimedOut(request.WireName(), correlation, _requests.Timeout);
            }

            if (_idleLimitMs == 0)
            {
                continue;
            }

            if (_reader.IsStalled)
            {
                // The reader deliberately reads nothing while the application is behind: that is not silence.
                if (now - _lastKeepAlive >= (long)_heartbeat.TotalMilliseconds)
                {
                    _writer.Write(new PingFrame(Timestamps.Now(_clock)), 0);
                    _lastKeepAlive = now;
                }
            }
            else if (now - _reader.LastReceived > _idleLimitMs)
            {
                throw new TamTamConnectionException(ErrorCode.IdleTimeout,
                    $"nothing received from the server for three heartbeat intervals ({3 * _heartbeat})");
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
