using Microsoft.Extensions.Logging;
using TamTam.Client.Events;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal;

/// <summary>
/// Makes delivery exactly-once towards the application. The server delivers at least once and repeats a
/// message under the same id; this tracker decides, per DELIVER, whether the application sees it:
/// <list type="bullet">
/// <item>an id the application holds and has not settled yet (buffered or being processed) is dropped;</item>
/// <item>an id settled recently (the last <see cref="RecentCapacity"/> ids) is answered again as it was
/// settled, ACK or rejecting NACK, and dropped;</item>
/// <item>anything else is handed out. An id NACKed with requeue is forgotten, so its redelivery is handed out.</item>
/// </list>
/// </summary>
internal sealed class DeliveryTracker
{
    /// <summary>How many settled ids are remembered to recognise late redeliveries (a few megabytes when full).</summary>
    public const int RecentCapacity = 65_536;

    private readonly Lock _gate = new();
    private readonly HashSet<Guid> _outstanding = [];
    private readonly RecentOutcomes _settled = new(RecentCapacity);
    private FrameWriter? _writer;

    public DeliveryTracker(FrameWriter? writer = null) => _writer = writer;

    /// <summary>The correlations of this client's ACK, NACK and STATUS_ACK frames, so that an ERROR about one is recognised.</summary>
    public AnswerCorrelations Correlations { get; } = new();

    /// <summary>Called (on the read loop) when the server refuses an ACK or NACK.</summary>
    public Action<TamTamAcknowledgementFailedEventArgs>? Refused { get; init; }

    /// <summary>The current connection's writer: acknowledgements go there.</summary>
    public FrameWriter Writer
    {
        get => Volatile.Read(ref _writer) ?? throw new InvalidOperationException("The tracker has no connection yet.");
        set => Volatile.Write(ref _writer, value);
    }

    /// <summary>
    /// True for a client that resumes its session after a lost connection: an ACK or NACK made while no
    /// connection is up is still recorded, and the redelivery that follows the resume is answered from that record.
    /// </summary>
    public bool SettlesWhileDisconnected { get; init; }

    public int Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _outstanding.Count;
            }
        }
    }

    public DeliveryDecision Admit(Guid messageId)
    {
        lock (_gate)
        {
            if (_outstanding.Contains(messageId))
            {
                return DeliveryDecision.HeldByApplication;
            }

            if (_settled.TryGet(messageId, out bool rejected))
            {
                return rejected ? DeliveryDecision.AlreadyRejected : DeliveryDecision.AlreadyAcknowledged;
            }

            _outstanding.Add(messageId);
            return DeliveryDecision.Surface;
        }
    }

    public void Ack(Guid messageId, ulong sequence)
    {
        var frame = new AckFrame(messageId, sequence);
        Answer(frame, AnswerKind.Ack, messageId, rejected: false, remember: true);
    }

    /// <summary>A message admitted but never handed to the application (its connection ended first): forget it.</summary>
    public void Abandon(Guid messageId)
    {
        lock (_gate)
        {
            _outstanding.Remove(messageId);
        }
    }

    public void Nack(Guid messageId, ulong sequence, ushort reason, string? detail, bool requeue)
    {
        NackFrame frame;
        try
        {
            frame = new NackFrame(messageId, sequence, reason, Utf8Text.From(detail), requeue);
        }
        catch (ProtocolException exception)
        {
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }

        // A requeued message comes back for another attempt, and that attempt must reach the application.
        Answer(frame, AnswerKind.Nack, messageId, rejected: true, remember: !requeue);
    }

    /// <summary>
    /// An ERROR about one of this client's answers; false when <paramref name="correlation"/> is none of them. A refused
    /// ACK or NACK leaves its message settled here, so the redelivery the server sends once it can take the answer
    /// is answered again from that record and not handed out (unless 65,536 later settlements pushed it out); the
    /// application hears of the refusal through <see cref="Refused"/>. A refused STATUS_ACK needs nothing: 307 means the
    /// server has nothing left to forget, and after 501 the STATUS comes again and is confirmed again.
    /// </summary>
    public bool OnRefused(uint correlation, ErrorCode code, string detail, ILogger logger)
    {
        if (!Correlations.TryTake(correlation, out AnswerKind kind, out Guid messageId))
        {
            return false;
        }

        if (kind == AnswerKind.StatusAck)
        {
            logger.StatusAckRefused(messageId, code, detail);
            return true;
        }

        logger.AnswerRefused(kind == AnswerKind.Nack ? "NACK" : "ACK", messageId, code, detail);
        Refused?.Invoke(new TamTamAcknowledgementFailedEventArgs(messageId, kind == AnswerKind.Nack, new TamTamException(code, detail)));
        return true;
    }

    /// <summary>
    /// Writes the application's answer and settles the message. A connection may end and the session resume
    /// between the two: the redelivery the new connection brings while the application still held the message
    /// was dropped, so an answer that went to the connection that ended is written again to the new one.
    /// </summary>
    private void Answer<T>(in T frame, AnswerKind kind, Guid messageId, bool rejected, bool remember)
        where T : struct, IFrame<T>
    {
        FrameWriter used = Writer;
        try
        {
            used.Write(frame, Correlations.Next(kind, messageId));
        }
        catch (TamTamConnectionException) when (SettlesWhileDisconnected)
        {
            // Remembered below: the redelivery after the resume is answered again by the dispatcher.
        }
        catch (ProtocolException exception)
        {
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }

        Settle(messageId, rejected, remember);

        // Either the current connection was set before this settlement, and is answered here, or after it,
        // and then its read loop finds the settlement when the redelivery comes (it starts only once set).
        FrameWriter current = Writer;
        if (!ReferenceEquals(current, used))
        {
            try
            {
                current.Write(frame, Correlations.Next(kind, messageId));
            }
            catch (TamTamConnectionException) when (SettlesWhileDisconnected)
            {
                // That one ended too: the next resume's redelivery is answered from the record.
            }
        }
    }

    private void Settle(Guid messageId, bool rejected, bool remember)
    {
        lock (_gate)
        {
            _outstanding.Remove(messageId);
            if (remember)
            {
                _settled.Add(messageId, rejected);
            }
        }
    }
}
