using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TamTam.Client.Internal.Transfers;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// Acts on each frame the server sends: replies complete their requests, STATUS is recorded and confirmed,
/// PING is answered, DELIVER passes the duplicate filter and becomes an <see cref="IncomingMessage"/>.
/// Runs on the read loop, synchronously: nothing here waits, and any frame it answers is only encoded
/// into the writer's batch.
/// </summary>
internal sealed class InboundDispatcher
{
    private readonly RequestTable _requests;
    private readonly StatusTracker _statuses;
    private readonly DeliveryTracker _deliveries;
    private readonly FrameWriter _writer;
    private readonly ChannelWriter<MessageStatus> _statusFeed;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Utf8StringCache _names = new();
    private readonly StreamReceiver _streams;
    private readonly TransferTable _transfers;
    private readonly HeldPartedMessages _held;
    private readonly PendingReplies _replies;

    public InboundDispatcher(
        RequestTable requests,
        StatusTracker statuses,
        DeliveryTracker deliveries,
        FrameWriter writer,
        ChannelWriter<MessageStatus> statusFeed,
        TimeProvider clock,
        ILogger logger,
        StreamReceiver streams,
        TransferTable transfers,
        HeldPartedMessages held,
        PendingReplies replies)
    {
        _replies = replies;
        _streams = streams;
        _transfers = transfers;
        _held = held;
        _requests = requests;
        _statuses = statuses;
        _deliveries = deliveries;
        _writer = writer;
        _statusFeed = statusFeed;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Handles one frame.</summary>
    /// <returns>A message for the application, or <see langword="null"/>.</returns>
    /// <exception cref="TamTamConnectionException">The server sent a fatal ERROR.</exception>
    /// <summary>The end of one read's frames: stream packets received in it go to the application at once.</summary>
    public void EndOfRead() => _streams.HandOver();

    public IncomingMessage? Dispatch(in Frame frame)
    {
        try
        {
            FrameCodec.EnsureKnownType(frame);
            switch (frame.Type)
            {
                case FrameType.Deliver:
                    return OnDeliver(frame.Decode<DeliverFrame>());
                case FrameType.Accepted:
                    AcceptedFrame accepted = frame.Decode<AcceptedFrame>();
                    var reply = new Reply(FrameType.Accepted, accepted.MessageId, accepted.Sequence, accepted.AcceptedAt, accepted.Duplicate);
                    if (!_transfers.TryAccept(frame.Correlation, reply))
                    {
                        Complete(frame, reply);
                    }

                    break;
                case FrameType.Ok:
                    frame.Decode<OkFrame>();
                    Complete(frame, new Reply(FrameType.Ok));
                    break;
                case FrameType.Status:
                    OnStatus(frame.Decode<StatusFrame>());
                    break;
                case FrameType.Error:
                    OnError(frame.Decode<ErrorFrame>(), frame.Correlation);
                    break;
                case FrameType.Ping:
                    PingFrame ping = frame.Decode<PingFrame>();
                    _writer.Write(new PongFrame(ping.SentAt, Timestamps.Now(_clock)), frame.Correlation);
                    break;
                case FrameType.Pong:
                    PongFrame pong = frame.Decode<PongFrame>();

                    // Correlation 0 answers a keep-alive PING of the connection monitor: nobody waits for it.
                    if (frame.Correlation != 0)
                    {
                        Complete(frame, new Reply(FrameType.Pong, Timestamp: pong.Echo));
                    }

                    break;
                case FrameType.HealthReport:
                    Complete(frame, new Reply(FrameType.HealthReport, Data: ToReport(frame.Decode<HealthReportFrame>())));
                    break;
                case FrameType.LinksReport:
                    Complete(frame, new Reply(FrameType.LinksReport, Data: LinkListReader.Read(frame.Decode<LinksReportFrame>())));
                    break;
                case FrameType.NodesReport:
                    Complete(frame, new Reply(FrameType.NodesReport, Data: NodeListReader.Read(frame.Decode<NodesReportFrame>())));
                    break;
                case FrameType.MessageReport:
                    Complete(frame, new Reply(FrameType.MessageReport, Data: DescriptorReader.Read(frame.Decode<MessageReportFrame>())));
                    break;
                case FrameType.AuditReport:
                    Complete(frame, new Reply(FrameType.AuditReport, Data: DescriptorReader.Read(frame.Decode<AuditReportFrame>())));
                    break;
                case FrameType.Stream:
                    _streams.OnStream(frame.Decode<StreamFrame>());
                    break;
                case FrameType.Part:
                    _transfers.OnPart(frame.Decode<PartFrame>(), _writer);
                    break;
                case FrameType.PartAck:
                    _transfers.OnPartAck(frame.Decode<PartAckFrame>());
                    break;
                case FrameType.StationOffer:
                    Reject(frame, new ProtocolException(ErrorCode.NotImplemented,
                        $"this client does not serve {frame.Type.WireName()} yet", frame.Correlation));
                    break;
                default:
                    Reject(frame, new ProtocolException(ErrorCode.UnexpectedFrame,
                        $"{frame.Type.WireName()} is not a frame a server sends after WELCOME", frame.Correlation));
                    break;
            }
        }
        catch (ProtocolException exception) when (!exception.IsFatal)
        {
            Reject(frame, exception);
        }

        return null;
    }

    private IncomingMessage? OnDeliver(in DeliverFrame deliver)
    {
        switch (_deliveries.Admit(deliver.MessageId))
        {
            case DeliveryDecision.HeldByApplication:
                if (deliver.Transfer is { } again && _held.TryGet(deliver.MessageId, out IncomingMessage? held))
                {
                    // A resumed session's redelivery of a parted message the application holds: its parts come
                    // on this connection now, to the same message (ReceivePayloadAsync goes on with them).
                    var resumed = new IncomingTransfer(deliver.MessageId, again, _writer);
                    _transfers.Add(resumed);
                    held.AttachTransfer(resumed, _transfers, _held);
                    return null;
                }

                _logger.DuplicateDeliveryDropped(deliver.MessageId, deliver.Attempt);
                return null;
            case DeliveryDecision.AlreadyAcknowledged:
                _logger.SettledDeliveryRepeated(deliver.MessageId, deliver.Attempt);
                _writer.Write(new AckFrame(deliver.MessageId, deliver.Sequence), _deliveries.Correlations.Next(AnswerKind.Ack, deliver.MessageId));
                return null;
            case DeliveryDecision.AlreadyRejected:
                _logger.SettledDeliveryRepeated(deliver.MessageId, deliver.Attempt);
                _writer.Write(new NackFrame(deliver.MessageId, deliver.Sequence, 0, Utf8Text.Empty, false),
                    _deliveries.Correlations.Next(AnswerKind.Nack, deliver.MessageId));
                return null;
        }

        byte[] payload = deliver.Payload.IsEmpty ? [] : deliver.Payload.ToArray();
        var message = new IncomingMessage(_deliveries, deliver.MessageId, deliver.Sequence, deliver.PortSequence,
            _names.Get(deliver.SrcLink.Utf8.Span), _names.Get(deliver.SrcNode.Utf8.Span), _names.Get(deliver.DestLink.Utf8.Span),
            _names.Get(deliver.DestPort.Utf8.Span), deliver.Attempt, Timestamps.FromOptional(deliver.Deadline), deliver.Redelivery, payload)
        {
            TraceParent = deliver.Trace?.ToString(),
            CorrelationId = deliver.Reply?.CorrelationId,
            ReplyLink = deliver.Reply is { IsReply: false } request ? _names.Get(request.Link.Utf8.Span) : null,
            ReplyPort = deliver.Reply is { IsReply: false } asked ? _names.Get(asked.Port.Utf8.Span) : null,
        };
        if (deliver.Transfer is { } parted)
        {
            // Its parts follow on this connection; they wait (within the server's window) for ReceivePayloadAsync.
            var transfer = new IncomingTransfer(deliver.MessageId, parted, _writer);
            _transfers.Add(transfer);
            message.AttachTransfer(transfer, _transfers, _held);
            _held.Hold(message);
        }

        // A reply to one of this client's requests goes to the request, not to the application's receive loop.
        return _replies.TryTake(message, _logger) ? null : message;
    }

    private void OnStatus(in StatusFrame frame)
    {
        var status = new MessageStatus(frame.MessageId, frame.State, frame.Recipients, frame.Confirmed,
            Timestamps.FromMicroseconds(frame.At), _names.Get(frame.Detail.Utf8.Span));
        _logger.StatusReceived(status.MessageId, status.State, status.Confirmed, status.Recipients);
        // Confirm repeats too: the server keeps a STATUS until it is confirmed. The confirmation is encoded before the
        // status is recorded, which completes the sender's receipt: whatever the application writes once it has the
        // status (a LEAVE as it ends, say) goes out after the STATUS_ACK, never before it. Both leave at the next flush.
        _writer.Write(new StatusAckFrame(status.MessageId), _deliveries.Correlations.Next(AnswerKind.StatusAck, status.MessageId));
        bool first = _statuses.Record(status);
        if (first)
        {
            _statusFeed.TryWrite(status);
        }
    }

    private void OnError(in ErrorFrame error, uint correlation)
    {
        string detail = error.Message.ToString();
        if (error.Fatal || error.Code.IsFatal())
        {
            throw new TamTamConnectionException(error.Code, detail);
        }

        if (correlation == StreamReceiver.Correlation)
        {
            _streams.OnRefused(error.Code, detail);
        }
        else if (!_deliveries.OnRefused(correlation, error.Code, detail, _logger)
            && !_transfers.TryFail(correlation, error.Code, detail) && !_requests.TryFail(correlation, new TamTamException(error.Code, detail)))
        {
            _logger.UnmatchedServerError(error.Code, correlation, detail);
        }
    }

    private void Complete(in Frame frame, in Reply reply)
    {
        if (!_requests.TryComplete(frame.Correlation, reply))
        {
            _logger.LateReply(frame.Type.WireName(), frame.Correlation);
        }
    }

    private void Reject(in Frame frame, ProtocolException exception)
    {
        _logger.FrameRejected(frame.Type.WireName(), frame.Correlation, exception.Code, exception.Detail);

        // An unreadable ERROR is not answered with another ERROR: two peers doing so would never stop.
        if (frame.Type != FrameType.Error)
        {
            _writer.Write(ErrorFrame.From(exception), frame.Correlation);
        }

        // A reply that cannot be read still ends its request: waiting for it until the timeout helps nobody.
        if (IsReply(frame.Type))
        {
            _requests.TryFail(frame.Correlation, new TamTamException(exception.Code, $"unreadable {frame.Type.WireName()}: {exception.Detail}"));
        }
    }

    private static bool IsReply(FrameType type) =>
        type is FrameType.Ok or FrameType.Accepted or FrameType.Pong or FrameType.HealthReport or FrameType.Error
            or FrameType.NodesReport or FrameType.LinksReport or FrameType.MessageReport or FrameType.AuditReport;

    private HealthReport ToReport(in HealthReportFrame frame)
    {
        var figures = new Dictionary<string, long>(frame.Figures.Count, StringComparer.Ordinal);
        foreach (HealthFigure figure in frame.Figures)
        {
            figures[_names.Get(figure.Key.Utf8.Span)] = figure.Value;
        }

        return new HealthReport(frame.State, figures);
    }
}
