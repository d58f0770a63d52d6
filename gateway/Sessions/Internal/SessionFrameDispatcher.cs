using Microsoft.Extensions.Logging;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Internal;
using TamTam.Gateway.Security;
using TamTam.Gateway.Security.Internal;
using TamTam.Gateway.Streams.Internal;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Answers each frame a session reads. The checks run in the order docs/protocol.md fixes, and the first
/// one broken is the answer: HELLO first (200, fatal) → the frame rate (208, frame discarded unread) → known
/// type (110) → direction and state (116, 206, 207; the fields are checked first, 111–115) → the session's
/// token (203) → the handler, or 502 for a valid frame not served yet. A frame error is answered with the
/// frame's correlation and the session goes on.
/// </summary>
internal sealed class SessionFrameDispatcher
{
    private readonly GatewaySession _session;
    private readonly GatewayOptions _options;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger _logger;
    private readonly Utf8Text _serverName;
    private readonly HelloAuthenticator _authenticator;
    private readonly FrameRateLimiter? _limiter;

    public SessionFrameDispatcher(GatewaySession session, GatewayOptions options, GatewayStatistics statistics, ILogger logger,
        HelloAuthenticator authenticator, FrameRateLimiter? limiter)
    {
        _session = session;
        _options = options;
        _statistics = statistics;
        _logger = logger;
        _serverName = options.ServerName;
        _authenticator = authenticator;
        _limiter = limiter;
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
            else if (_limiter is not null && !_limiter.TryTake())
            {
                // Discarded before anything about it is read or acted on: over the limit, a frame costs only this answer.
                await RejectAsync(frame, ErrorCode.RateLimited,
                    $"more than {_limiter.FramesPerSecond} frames per second on this connection; the frame was discarded").ConfigureAwait(false);
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

        // Section 6.1: the version (212), then the token (201, 202), then the resume token (204).
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

        AccessTokenValidation access = _authenticator.Authenticate(hello.AuthToken.Span);
        if (access.Error != ErrorCode.None)
        {
            _logger.AuthenticationFailed(_session.ConnectionId, access.Error, access.KeyId ?? "-", access.Detail);
            _session.RequestClose(new CloseRequest(access.Error, access.Detail, frame.Correlation));
            return;
        }

        SessionLink? resumed = null;
        if (!hello.ResumeToken.IsEmpty)
        {
            (resumed, OperationResult refusal) = await SessionResumption.ResumeAsync(_session, hello.ResumeToken, access.Token, _options, _logger)
                .ConfigureAwait(false);
            if (resumed is null)
            {
                await RejectAsync(frame, refusal.Code, refusal.Detail ?? refusal.Code.ToString()).ConfigureAwait(false);
                return;
            }
        }

        ResumeToken resumeToken = resumed is null ? ResumeToken.Create(Guid.CreateVersion7()) : _session.ResumeToken;
        Guid sessionId = resumeToken.SessionId;
        var welcome = new WelcomeFrame(
            terms.Version,
            (uint)terms.MaxBody,
            (uint)_options.MaxInflight,
            (uint)terms.Heartbeat.TotalMilliseconds,
            (uint)_options.SessionTimeout.TotalMilliseconds,
            (uint)terms.PartSize,
            sessionId,
            resumeToken.ToBytes(),
            _serverName,
            Resumed: resumed is not null);
        await _session.Output.WriteAsync(welcome, frame.Correlation, _session.Closing).ConfigureAwait(false);
        _session.Welcome(resumeToken, terms, access.Token);
        if (resumed is not null)
        {
            _logger.SessionResumed(sessionId, _session.ConnectionId, resumed.Link, resumed.Node);
        }

        _logger.SessionWelcomed(sessionId, _session.ConnectionId, hello.Client.ToString(), terms.Version, terms.MaxBody,
            (long)terms.Heartbeat.TotalMilliseconds);
        if (access.Token is { } token)
        {
            _logger.SessionAuthenticated(sessionId, access.KeyId!, token.ToString());
        }
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

            case FrameType.Send when _session.Station is { } station:
                await StationSendAsync(frame, station).ConfigureAwait(false);
                break;

            case FrameType.Send:
                await QueueSendAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.Ack or FrameType.Nack or FrameType.StatusAck or FrameType.StationClaim or FrameType.StationPass
                when _session.Station is { } station:
                await ServeStationFrameAsync(frame, station).ConfigureAwait(false);
                break;

            case FrameType.Routes:
                _ = frame.Decode<RoutesFrame>();
                await ServeRoutesAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.Ack:
                AckFrame ack = frame.Decode<AckFrame>();
                _session.Link!.QueueAck(frame.Correlation, new AckCommand(ack.MessageId, ack.Sequence, Nack: false, Requeue: false, 0, null));
                break;

            case FrameType.Nack:
                NackFrame nack = frame.Decode<NackFrame>();
                _session.Link!.QueueAck(frame.Correlation,
                    new AckCommand(nack.MessageId, nack.Sequence, Nack: true, nack.Requeue, nack.Reason, nack.Detail.ToString()));
                break;

            case FrameType.StatusAck:
                _session.Link!.QueueStatusConfirmation(frame.Correlation, frame.Decode<StatusAckFrame>().MessageId);
                break;

            case FrameType.Stream:
                await QueueStreamAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.StreamAck:
                _ = frame.Decode<StreamAckFrame>();
                _session.Streams?.Acknowledged();
                break;

            case FrameType.Part when _session.Link?.Transfers is { } transfers:
                await transfers.OnPartAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.PartAck when _session.Link?.Transfers is { } transfers:
                transfers.OnPartAck(frame.Decode<PartAckFrame>());
                break;

            case FrameType.Part when _session.Station?.Transfers is { } transfers:
                await transfers.OnPartAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.PartAck when _session.Station?.Transfers is { } transfers:
                transfers.OnPartAck(frame.Decode<PartAckFrame>());
                break;

            case FrameType.Links:
            case FrameType.Join:
            case FrameType.Leave:
            case FrameType.Bind:
            case FrameType.Unbind:
            case FrameType.Nodes:
                if (_session.Access is { } access && await RefuseOutsideTokenAsync(frame, access).ConfigureAwait(false))
                {
                    break;
                }

                // Membership changes and queries see every SEND and ACK read before them.
                await EndOfBatchAsync().ConfigureAwait(false);
                await ServeLinkRequestAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.Message:
            case FrameType.Cancel:
            case FrameType.Audit:
                if (_session.CloseIfAccessExpired())
                {
                    break;
                }

                // A query or cancel sees every SEND read before it.
                await EndOfBatchAsync().ConfigureAwait(false);
                await ServeDescriptorRequestAsync(frame).ConfigureAwait(false);
                break;

            case FrameType.StationRegister:
                await RegisterStationAsync(frame).ConfigureAwait(false);
                break;

            default:
                FrameValidator.Validate(frame);
                await RejectAsync(frame, ErrorCode.NotImplemented, $"{frame.Type.WireName()} is not served by this server yet")
                    .ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Starts the link calls for the frames batched during one read (their answers are written when the calls
    /// return) and publishes the read's stream packets.
    /// </summary>
    public async ValueTask EndOfBatchAsync()
    {
        _session.Link?.StartCalls();
        _session.Station?.StartCalls();
        if (_session.OpenedStreams is { HasPending: true } streams)
        {
            await streams.FlushAsync(_session.Closing).ConfigureAwait(false);
        }
    }

    private async ValueTask RegisterStationAsync(Frame frame)
    {
        StationRegisterFrame register = frame.Decode<StationRegisterFrame>();
        if (_session.CloseIfAccessExpired())
        {
            return;
        }

        string name = register.Station.ToString();
        string[] links = new string[register.Links.Count];
        for (int i = 0; i < links.Length; i++)
        {
            links[i] = register.Links[i].ToString();
        }

        // Permission before implementation (docs/protocol.md section 6.5): the token's station claim names the station, its link claim the links.
        if (_session.Access is { } access && (access.Station is null || !Array.TrueForAll(links, l => access.AllowsStation(name, l))
            || !access.AllowsStation(name, access.Link)))
        {
            await RejectAsync(frame, ErrorCode.Forbidden, access.Station is null
                ? "the access token grants no station rights"
                : $"the access token does not allow station \"{name}\" to register these links").ConfigureAwait(false);
            return;
        }

        if (_session.Grains is not { } grains)
        {
            await RejectAsync(frame, ErrorCode.NotImplemented, "this gateway runs without a cluster: it serves no stations").ConfigureAwait(false);
            return;
        }

        var station = new SessionStation(_session, grains, _logger, name, links);
        OperationResult result = await station.RegisterAsync().ConfigureAwait(false);
        if (!result.Succeeded)
        {
            await RejectAsync(frame, result.Code, result.Detail ?? result.Code.ToString()).ConfigureAwait(false);
            return;
        }

        _session.Registered(station);
        _logger.StationRegistered(_session.ConnectionId, name, string.Join(", ", links));
        await _session.Output.WriteAsync(new OkFrame(), frame.Correlation, _session.Closing).ConfigureAwait(false);
    }

    private async ValueTask StationSendAsync(Frame frame, SessionStation station)
    {
        SendFrame send = frame.Decode<SendFrame>();
        if (!send.Station.HasValue)
        {
            await RejectAsync(frame, ErrorCode.NotJoined, "a station session sends with the STATION flag, on behalf of one of its links")
                .ConfigureAwait(false);
        }
        else if (!_session.CloseIfAccessExpired())
        {
            await station.SendAsync(frame.Correlation, send).ConfigureAwait(false);
            await _session.Output.FlushAsync(_session.Closing).ConfigureAwait(false);
        }
    }

    private async ValueTask ServeStationFrameAsync(Frame frame, SessionStation station)
    {
        ErrorCode result;
        string detail;
        try
        {
            switch (frame.Type)
            {
                case FrameType.Ack:
                    AckFrame ack = frame.Decode<AckFrame>();
                    result = station.QueueAcknowledgement(frame.Correlation,
                        new AckCommand(ack.MessageId, ack.Sequence, Nack: false, Requeue: false, 0, null));
                    detail = $"no delivery of message {ack.MessageId} is pending for this station";
                    break;

                case FrameType.Nack:
                    NackFrame nack = frame.Decode<NackFrame>();
                    result = station.QueueAcknowledgement(frame.Correlation, new AckCommand(nack.MessageId, nack.Sequence, Nack: true, nack.Requeue,
                        nack.Reason, nack.Detail.ToString()));
                    detail = $"no delivery of message {nack.MessageId} is pending for this station";
                    break;

                case FrameType.StatusAck:
                    Guid confirmed = frame.Decode<StatusAckFrame>().MessageId;
                    result = await station.ConfirmStatusAsync(confirmed).ConfigureAwait(false);
                    detail = $"no status of message {confirmed} is held for this station";
                    break;

                case FrameType.StationClaim:
                    Guid claimed = frame.Decode<StationClaimFrame>().MessageId;
                    result = await station.ClaimAsync(claimed).ConfigureAwait(false);
                    detail = $"no offer of message {claimed} is open for this station";
                    break;

                default:
                    StationPassFrame pass = frame.Decode<StationPassFrame>();
                    result = await station.PassAsync(pass.MessageId, pass.Ttl).ConfigureAwait(false);
                    detail = result == ErrorCode.OutOfRange
                        ? "a STATION_PASS carries the offered ttl minus one"
                        : $"no offer of message {pass.MessageId} is open for this station";
                    break;
            }
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.StationCallFailed(exception, _session.ConnectionId, station.Name, "-");
            (result, detail) = (ErrorCode.Unavailable, "the link is unavailable; answer again");
        }

        if (result != ErrorCode.None)
        {
            await RejectAsync(frame, result, result == ErrorCode.Unavailable ? "the link could not take the answer; answer again" : detail)
                .ConfigureAwait(false);
        }
    }

    private async ValueTask ServeRoutesAsync(Frame frame)
    {
        OperationResult result;
        try
        {
            result = await RoutesQuery.AnswerAsync(_session, frame.Correlation).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.StationCallFailed(exception, _session.ConnectionId, "-", "-");
            result = OperationResult.Fail(ErrorCode.Unavailable, "the interchange is unavailable; ask again");
        }

        if (!result.Succeeded)
        {
            await RejectAsync(frame, result.Code, result.Detail ?? result.Code.ToString()).ConfigureAwait(false);
        }
    }

    private async ValueTask QueueStreamAsync(Frame frame)
    {
        StreamFrame stream = frame.Decode<StreamFrame>();
        if (_session.CloseIfAccessExpired())
        {
            return;
        }

        if (_session.Station is { } station)
        {
            await QueueStationStreamAsync(frame, stream, station.Name).ConfigureAwait(false);
            return;
        }

        if (_session.Access is { } access && !access.AllowsSend(_session.Link!.LinkUtf8.Span, stream.Link.Utf8.Span, stream.Port.Utf8.Span, stream.Subtree))
        {
            await RejectAsync(frame, ErrorCode.Forbidden, $"the access token does not allow streaming to {stream.Port}").ConfigureAwait(false);
        }
        else if (_session.Streams is not { } streams)
        {
            await RejectAsync(frame, ErrorCode.Unavailable, "streaming mode is not configured on this server").ConfigureAwait(false);
        }
        else if (streams.Queue(frame.Correlation, stream, _session.Link!) is { } refusal)
        {
            await RejectAsync(frame, refusal.Code, refusal.Detail).ConfigureAwait(false);
        }
    }

    // A station's STREAM (docs/protocol.md section 5.18, "Streams"): it names its link, as a station's SEND does.
    private async ValueTask QueueStationStreamAsync(Frame frame, StreamFrame stream, string station)
    {
        if (stream.Link.IsEmpty)
        {
            await RejectAsync(frame, ErrorCode.NoRoute, "a station's STREAM names its destination link; its own links' streams are its own to deliver")
                .ConfigureAwait(false);
        }
        else if (_session.Access is { } access && !access.AllowsSend(access.Link, stream.Link.ToString(), stream.Port.ToString(), stream.Subtree))
        {
            await RejectAsync(frame, ErrorCode.Forbidden, $"the access token does not allow streaming to {stream.Link}:{stream.Port}").ConfigureAwait(false);
        }
        else if (_session.Streams is not { } streams)
        {
            await RejectAsync(frame, ErrorCode.Unavailable, "streaming mode is not configured on this server").ConfigureAwait(false);
        }
        else if (streams.QueueFromStation(frame.Correlation, stream, station) is { } refusal)
        {
            await RejectAsync(frame, refusal.Code, refusal.Detail).ConfigureAwait(false);
        }
    }

    private async ValueTask QueueSendAsync(Frame frame)
    {
        SendFrame send = frame.Decode<SendFrame>();
        if (send.Station.HasValue)
        {
            await RejectAsync(frame, ErrorCode.Forbidden, "SEND with STATION is for registered stations only").ConfigureAwait(false);
        }
        else if (_session.CloseIfAccessExpired())
        {
            // Closing with 202: nothing more is allowed under the token.
        }
        else if (_session.Access is { } access && AccessCheck.SendRefusal(send, access, _session.Link!) is { } refusal)
        {
            await RejectAsync(frame, ErrorCode.Forbidden, refusal).ConfigureAwait(false);
        }
        else if (send.Transfer.HasValue)
        {
            if (_session.Link!.Transfers is { } transfers)
            {
                await transfers.BeginAsync(frame.Correlation, send).ConfigureAwait(false);
            }
            else
            {
                await RejectAsync(frame, ErrorCode.NotImplemented, "PARTED transfers need a payload store, and this server has none")
                    .ConfigureAwait(false);
            }
        }
        else if (!_session.Link!.QueueSend(frame.Correlation, send))
        {
            await RejectAsync(frame, ErrorCode.TooManyInFlight, $"more than {_options.MaxInflight} SENDs await ACCEPTED").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers 203 for a JOIN, BIND or NODES outside the session's token, or closes the session with 202 once the
    /// token has expired; true when the frame was refused either way.
    /// </summary>
    private async ValueTask<bool> RefuseOutsideTokenAsync(Frame frame, AccessToken access)
    {
        if (_session.CloseIfAccessExpired())
        {
            return true;
        }

        if (AccessCheck.Refusal(frame, access, _session.Link) is not { } refusal)
        {
            return false;
        }

        await RejectAsync(frame, ErrorCode.Forbidden, refusal).ConfigureAwait(false);
        return true;
    }

    private async ValueTask ServeLinkRequestAsync(Frame frame)
    {
        OperationResult result;
        try
        {
            // What came before this request reaches the link first: a LEAVE after SENDs, a BIND after ACKs.
            if (_session.Link is { } link)
            {
                await link.DrainAsync().ConfigureAwait(false);
            }

            result = await CallLinkAsync(frame).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.LinkCallFailed(exception, _session.ConnectionId, _session.Link?.Link ?? "-");
            result = OperationResult.Fail(ErrorCode.Unavailable, "the link is unavailable; try again");
        }

        if (result.Succeeded)
        {
            if (frame.Type is not FrameType.Nodes and not FrameType.Links)
            {
                await _session.Output.WriteAsync(new OkFrame(), frame.Correlation, _session.Closing).ConfigureAwait(false);
            }
        }
        else
        {
            await RejectAsync(frame, result.Code, result.Detail ?? result.Code.ToString()).ConfigureAwait(false);
        }
    }

    private async ValueTask ServeDescriptorRequestAsync(Frame frame)
    {
        OperationResult result;
        try
        {
            if (_session.Link is { } link)
            {
                await link.DrainAsync().ConfigureAwait(false);
            }

            result = await DescriptorRequests.AnswerAsync(_session, frame).ConfigureAwait(false);
        }
        catch (Exception exception) when (GrainCallFailure.IsAnsweredUnavailable(exception))
        {
            _logger.DescriptorCallFailed(exception, _session.ConnectionId, frame.Type.WireName());
            result = OperationResult.Fail(ErrorCode.Unavailable, "the message's link is unavailable; try again");
        }

        if (!result.Succeeded)
        {
            await RejectAsync(frame, result.Code, result.Detail ?? result.Code.ToString()).ConfigureAwait(false);
        }
    }

    private async Task<OperationResult> CallLinkAsync(Frame frame)
    {
        if (_session.Grains is not { } grains)
        {
            FrameValidator.Validate(frame);
            return OperationResult.Fail(ErrorCode.Unavailable, "this gateway runs without a cluster: links are unavailable");
        }

        SessionLink? link = _session.Link;
        Guid session = _session.AttachmentId;
        switch (frame.Type)
        {
            case FrameType.Join:
                JoinFrame join = frame.Decode<JoinFrame>();
                var joining = new SessionLink(_session, grains, _logger, _options.MaxInflight, join.Link.ToString(), join.Node.ToString());
                OperationResult joined = await joining.JoinAsync().ConfigureAwait(false);
                if (joined.Succeeded)
                {
                    _session.Joined(joining);
                    _logger.SessionJoined(_session.ConnectionId, joining.Link, joining.Node);
                }
                else
                {
                    joining.ReleaseReference();
                }

                return joined;

            case FrameType.Leave:
                _ = frame.Decode<LeaveFrame>();
                OperationResult left = await link!.LeaveAsync().ConfigureAwait(false);
                if (left.Succeeded)
                {
                    _session.OpenedStreams?.UnsubscribeAll();

                    _session.Left();
                }

                return left;

            case FrameType.Bind:
                BindFrame bind = frame.Decode<BindFrame>();
                string port = bind.Port.ToString();
                if (!ReplyPorts.MayBind(port, bind.Subtree, link!.Node))
                {
                    return OperationResult.Fail(ErrorCode.Forbidden,
                        $"{ReplyPorts.Root} is reserved: node \"{link.Node}\" may bind only its own reply port {ReplyPorts.For(link.Node)}, without SUBTREE");
                }

                OperationResult bound = await link!.Grain.BindAsync(link.Node, session, new PortBinding(port, bind.Mode, bind.Subtree))
                    .ConfigureAwait(false);
                if (bound.Succeeded && _session.Streams is { } binding)
                {
                    // Subscribed before OK: a packet published after the BIND's answer reaches this node.
                    await binding.SubscribeAsync(new StreamBinding(link.Link, port, bind.Subtree)).ConfigureAwait(false);
                }

                return bound;

            case FrameType.Links:
                _ = frame.Decode<LinksFrame>();
                return await LinksQuery.AnswerAsync(_session, frame.Correlation).ConfigureAwait(false);

            case FrameType.Unbind:
                UnbindFrame unbind = frame.Decode<UnbindFrame>();
                OperationResult unbound = await link!.Grain.UnbindAsync(link.Node, session, unbind.Port.ToString(), unbind.Subtree).ConfigureAwait(false);
                if (unbound.Succeeded)
                {
                    _session.OpenedStreams?.Unsubscribe(new StreamBinding(link.Link, unbind.Port.ToString(), unbind.Subtree));
                }

                return unbound;

            default:
                NodesFrame query = frame.Decode<NodesFrame>();
                string? name = query.Link.IsEmpty ? link?.Link : query.Link.ToString();
                if (name is null)
                {
                    return OperationResult.Fail(ErrorCode.NotJoined, "NODES without a link needs a joined session");
                }

                NodeSummary[] nodes = await grains.GetGrain<ILinkGrain>(name).GetNodesAsync().ConfigureAwait(false);
                var entries = new NodeEntry[Math.Min(nodes.Length, ushort.MaxValue)];
                for (int i = 0; i < entries.Length; i++)
                {
                    entries[i] = new NodeEntry(Utf8Text.From(nodes[i].Node), nodes[i].Online, nodes[i].RttMicroseconds, (uint)nodes[i].Pending);
                }

                await _session.Output.WriteAsync(new NodesReportFrame(entries, Truncated: entries.Length < nodes.Length), frame.Correlation,
                    _session.Closing).ConfigureAwait(false);
                return OperationResult.Ok;
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
