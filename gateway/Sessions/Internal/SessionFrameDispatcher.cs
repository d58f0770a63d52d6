using Microsoft.Extensions.Logging;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Answers each frame a session reads. The checks run in the order docs/protocol.md fixes, and the first
/// one broken is the answer: HELLO first (200, fatal) → known type (110) → direction and state (116, 206,
/// 207; the fields are checked first, 111–115) → the handler, or 502 for a valid frame not served yet.
/// A frame error is answered with the frame's correlation and the session goes on.
/// </summary>
internal sealed class SessionFrameDispatcher
{
    private readonly GatewaySession _session;
    private readonly GatewayOptions _options;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Utf8Text _serverName;

    public SessionFrameDispatcher(GatewaySession session, GatewayOptions options, GatewayStatistics statistics, ILogger logger)
    {
        _session = session;
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _serverName = options.ServerName;
    }

    /// <summary>Handles one frame. Fatal conditions end the session through <see cref="GatewaySession.RequestClose"/>.</summary>
    public async ValueTask DispatchAsync(Frame frame)
    {
        _session.Counters.FrameIn();
        _statistics.FrameIn(frame.Type);
        try
        {
            if (_session.State == SessionState.Connected)
            {
                await HandshakeAsync(frame).ConfigureAwait(false);
            }
            else
            {
                await ServeAsync(frame).ConfigureAwait(false);
            }
        }
        catch (ProtocolException exception) when (!exception.IsFatal)
        {
            await RejectAsync(frame, exception.Code, exception.Detail).ConfigureAwait(false);
        }
    }

    private async ValueTask HandshakeAsync(Frame frame)
    {
        if (frame.Type != FrameType.Hello)
        {
            _session.RequestClose(new CloseRequest(ErrorCode.HandshakeRequired,
                $"the first frame must be HELLO, not {frame.Type.WireName()}", frame.Correlation));
            return;
        }

        HelloFrame hello = frame.Decode<HelloFrame>();
        if (!hello.ResumeToken.IsEmpty)
        {
            // No session outlives its connection yet, so every resume token is unknown (section 6.1, step 4).
            await RejectAsync(frame, ErrorCode.SessionExpired,
                "the resume token is unknown or its session has expired; send HELLO without it for a new session").ConfigureAwait(false);
            return;
        }

        // Authentication comes with docs/security.md; until then every session is anonymous and auth_token is ignored.
        SessionTerms terms;
        try
        {
            terms = HandshakeNegotiator.Negotiate(hello, _options, frame.Correlation);
        }
        catch (ProtocolException exception) when (exception.IsFatal)
        {
            _session.RequestClose(new CloseRequest(exception.Code, exception.Detail, exception.Correlation));
            return;
        }

        Guid sessionId = Guid.CreateVersion7();
        var welcome = new WelcomeFrame(
            terms.Version,
            (uint)terms.MaxBody,
            (uint)_options.MaxInflight,
            (uint)terms.Heartbeat.TotalMilliseconds,
            (uint)_options.SessionTimeout.TotalMilliseconds,
            (uint)terms.PartSize,
            sessionId,
            ResumeToken: ReadOnlyMemory<byte>.Empty,
            _serverName,
            Resumed: false);
        await _session.Output.WriteAsync(welcome, frame.Correlation, _session.Closing).ConfigureAwait(false);
        _session.Welcome(sessionId, terms);
        _logger.SessionWelcomed(sessionId, _session.ConnectionId, hello.Client.ToString(), terms.Version, terms.MaxBody,
            (long)terms.Heartbeat.TotalMilliseconds);
    }

    private async ValueTask ServeAsync(Frame frame)
    {
        FrameCodec.EnsureKnownType(frame);
        ErrorCode refusal = FrameAdmission.Check(_session.State, frame.Type);
        if (refusal != ErrorCode.None)
        {
            FrameValidator.Validate(frame);
            await RejectAsync(frame, refusal, RefusalDetail(frame.Type, refusal)).ConfigureAwait(false);
            return;
        }

        switch (frame.Type)
        {
            case FrameType.Ping:
                PingFrame ping = frame.Decode<PingFrame>();
                await _session.Output.WriteAsync(new PongFrame(ping.SentAt, _session.NowMicroseconds()), frame.Correlation, _session.Closing)
                    .ConfigureAwait(false);
                break;

            case FrameType.Pong:
                _ = frame.Decode<PongFrame>();
                _session.KeepAlive.PongReceived(frame.Correlation);
                break;

            case FrameType.Health:
                _ = frame.Decode<HealthFrame>();
                HealthReportFrame report = HealthReportBuilder.Build(_statistics, _session.Counters, _session.Uptime,
                    _session.KeepAlive.RoundTripMicroseconds);
                await _session.Output.WriteAsync(report, frame.Correlation, _session.Closing).ConfigureAwait(false);
                break;

            case FrameType.Error:
                ErrorFrame error = frame.Decode<ErrorFrame>();
                _logger.PeerError(_session.ConnectionId, error.Code, error.Fatal, error.Message.ToString());
                break;

            default:
                FrameValidator.Validate(frame);
                await RejectAsync(frame, ErrorCode.NotImplemented, $"{frame.Type.WireName()} is not served by this server yet")
                    .ConfigureAwait(false);
                break;
        }
    }

    private ValueTask RejectAsync(in Frame frame, ErrorCode code, string detail)
    {
        _logger.FrameRejected(_session.ConnectionId, (byte)frame.Type, frame.Correlation, code, detail);
        return _session.Output.WriteErrorAsync(code, detail, fatal: false, frame.Correlation, _session.Closing);
    }

    private string RefusalDetail(FrameType type, ErrorCode refusal) => refusal switch
    {
        _ when !FrameAdmission.IsClientToServer(type) => $"{type.WireName()} travels from server to client only",
        ErrorCode.NotJoined => $"{type.WireName()} needs a joined session; send JOIN first",
        ErrorCode.AlreadyJoined => "the session has already joined a link",
        _ => $"{type.WireName()} is not accepted in state {_session.State}",
    };
}
