using Microsoft.Extensions.Logging;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>
/// One timer for the whole connection: fails requests whose reply is overdue (so no request needs a timer
/// of its own) and declares the server gone when nothing has arrived for three heartbeat intervals
/// (docs/protocol.md section 6.3; the server pings every interval, so silence means it is gone).
/// </summary>
internal sealed class ConnectionMonitor
{
    private static readonly TimeSpan LongestTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ShortestTick = TimeSpan.FromMilliseconds(50);

    private readonly RequestTable _requests;
    private readonly FrameReadLoop _reader;
    private readonly long _idleLimitMs;
    private readonly TimeSpan _heartbeat;
    private readonly TimeSpan _tick;
    private readonly ILogger _logger;

    public ConnectionMonitor(RequestTable requests, FrameReadLoop reader, TimeSpan heartbeat, ILogger logger)
    {
        _requests = requests;
        _reader = reader;
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

            if (now - _reader.LastReceived > _idleLimitMs)
            {
                throw new TamTamConnectionException(ErrorCode.IdleTimeout,
                    $"nothing received from the server for three heartbeat intervals ({3 * _heartbeat})");
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
