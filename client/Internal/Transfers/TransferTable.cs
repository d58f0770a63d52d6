using System.Collections.Concurrent;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Internal.Transfers;

/// <summary>
/// The connection's parted transfers by message id, so that the read loop can route PART, PART_ACK and the
/// answer to a parted SEND (matched by its reserved correlation) without waiting.
/// </summary>
internal sealed class TransferTable
{
    private readonly ConcurrentDictionary<Guid, OutgoingTransfer> _outgoing = new();
    private readonly ConcurrentDictionary<uint, OutgoingTransfer> _byCorrelation = new();
    private readonly ConcurrentDictionary<Guid, IncomingTransfer> _incoming = new();
    private Exception? _failure;

    public void Add(OutgoingTransfer transfer)
    {
        _outgoing[transfer.Id] = transfer;
        _byCorrelation[transfer.Correlation] = transfer;
        if (Volatile.Read(ref _failure) is { } failure)
        {
            transfer.Fail(failure);
        }
    }

    public void Remove(OutgoingTransfer transfer)
    {
        _outgoing.TryRemove(new KeyValuePair<Guid, OutgoingTransfer>(transfer.Id, transfer));
        _byCorrelation.TryRemove(new KeyValuePair<uint, OutgoingTransfer>(transfer.Correlation, transfer));
    }

    public void Add(IncomingTransfer transfer)
    {
        _incoming[transfer.Id] = transfer;
        if (Volatile.Read(ref _failure) is { } failure)
        {
            transfer.Complete(failure);
        }
    }

    public void Remove(IncomingTransfer transfer) =>
        _incoming.TryRemove(new KeyValuePair<Guid, IncomingTransfer>(transfer.Id, transfer));

    public bool IsReceiving(Guid id) => _incoming.ContainsKey(id);

    /// <summary>A PART: for a delivery this node receives; anything else is answered 402 so the server stops sending it.</summary>
    public void OnPart(in PartFrame part, FrameWriter writer)
    {
        if (_incoming.TryGetValue(part.TransferId, out IncomingTransfer? transfer))
        {
            transfer.OnPart(part);
        }
        else
        {
            writer.Write(new PartAckFrame(part.TransferId, part.Index, ErrorCode.UnknownTransfer), 0);
        }
    }

    /// <summary>A PART_ACK: for an upload of this node, or (result 0) a part of a delivery acknowledged on an earlier connection.</summary>
    public void OnPartAck(in PartAckFrame ack)
    {
        if (_outgoing.TryGetValue(ack.TransferId, out OutgoingTransfer? outgoing))
        {
            outgoing.OnPartAck((int)ack.Index, ack.Result);
        }
        else if (ack.Result == ErrorCode.None && _incoming.TryGetValue(ack.TransferId, out IncomingTransfer? incoming))
        {
            incoming.OnHeld((int)ack.Index);
        }
    }

    /// <summary>True when <paramref name="correlation"/> is a parted SEND's: its transfer takes the ACCEPTED.</summary>
    public bool TryAccept(uint correlation, in Reply reply)
    {
        if (correlation == 0 || !_byCorrelation.TryGetValue(correlation, out OutgoingTransfer? transfer))
        {
            return false;
        }

        transfer.OnAccepted(reply);
        return true;
    }

    /// <summary>True when <paramref name="correlation"/> is a parted SEND's: its transfer fails with the ERROR.</summary>
    public bool TryFail(uint correlation, ErrorCode code, string detail)
    {
        if (correlation == 0 || !_byCorrelation.TryGetValue(correlation, out OutgoingTransfer? transfer))
        {
            return false;
        }

        transfer.Fail(new TamTamException(code, detail));
        return true;
    }

    /// <summary>The connection ended: every transfer learns why.</summary>
    public void FailAll(Exception failure)
    {
        Volatile.Write(ref _failure, failure);
        foreach (OutgoingTransfer transfer in _outgoing.Values)
        {
            transfer.Fail(failure);
        }

        foreach (IncomingTransfer transfer in _incoming.Values)
        {
            transfer.Complete(failure);
        }
    }
}
