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
        try
        {
            Writer.Write(new AckFrame(messageId, sequence), 0);
        }
        catch (TamTamConnectionException) when (SettlesWhileDisconnected)
        {
            // Remembered below: the redelivery after the resume is acknowledged again by the dispatcher.
        }

        Settle(messageId, rejected: false, remember: true);
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
        try
        {
            Writer.Write(new NackFrame(messageId, sequence, reason, Utf8Text.From(detail), requeue), 0);
        }
        catch (TamTamConnectionException) when (SettlesWhileDisconnected)
        {
            // As for an ACK: a rejection is answered again from the record; a requeue is simply redelivered.
        }
        catch (ProtocolException exception)
        {
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }

        // A requeued message comes back for another attempt, and that attempt must reach the application.
        Settle(messageId, rejected: true, remember: !requeue);
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
