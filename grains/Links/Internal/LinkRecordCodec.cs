using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The binary form of <see cref="LinkRecord"/>s: a kind byte, then fields little-endian; strings as u16
/// length + UTF-8. Hand-written because it is the link's hot path and its format must stay stable.
/// </summary>
internal static class LinkRecordCodec
{
    private enum Kind : byte
    {
        MessageAccepted = 1,
        DeliveryAttempted = 2,
        RecipientSettled = 3,
        RecipientReassigned = 4,
        MessageFinalized = 5,
        StatusHeld = 6,
        StatusForwarded = 7,
        StatusConfirmed = 8,
        NodeJoined = 9,
        NodeLeft = 10,
        PortBound = 11,
        PortUnbound = 12,
        Checkpoint = 13,
        RecipientsSettled = 14,
        StatusesConfirmed = 15,
        StorageProbed = 16,
    }

    public static byte[] Encode(LinkRecord record)
    {
        var output = new ArrayBufferWriter<byte>(record is MessageAccepted accepted ? accepted.Payload.Length + 128 : 64);
        Encode(record, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Appends one record's form to <paramref name="output"/>, so a batch of records shares one buffer.</summary>
    public static void Encode(LinkRecord record, ArrayBufferWriter<byte> output)
    {
        var writer = new Writer(output);
        switch (record)
        {
            case MessageAccepted r:
                writer.U8((byte)Kind.MessageAccepted);
                writer.U64(r.Sequence);
                writer.Uuid(r.MessageId);
                writer.I64(r.AcceptedAtUs);
                writer.I64(r.DeadlineUs);
                writer.Str(r.SourceLink);
                writer.Str(r.SourceNode);
                writer.Str(r.Port);
                writer.U8((byte)r.Mode);
                writer.U64(r.PortSequence);
                writer.StrArray(r.Recipients);
                writer.Bytes(r.Payload);
                WriteTail(ref writer, r);
                break;
            case DeliveryAttempted r:
                writer.U8((byte)Kind.DeliveryAttempted);
                writer.U64(r.Sequence);
                writer.Str(r.Node);
                writer.U16(r.Attempt);
                break;
            case RecipientSettled r:
                writer.U8((byte)Kind.RecipientSettled);
                writer.U64(r.Sequence);
                writer.Str(r.Node);
                writer.U8((byte)r.Outcome);
                break;
            case RecipientsSettled r:
                writer.U8((byte)Kind.RecipientsSettled);
                writer.Str(r.Node);
                writer.I64(r.AtUs);
                writer.U32((uint)r.Settlements.Length);
                foreach (Settlement settlement in r.Settlements)
                {
                    writer.U64(settlement.Sequence);
                    writer.U8((byte)settlement.Outcome);
                }

                break;
            case RecipientReassigned r:
                writer.U8((byte)Kind.RecipientReassigned);
                writer.U64(r.Sequence);
                writer.Str(r.FromNode);
                writer.Str(r.ToNode);
                break;
            case MessageFinalized r:
                writer.U8((byte)Kind.MessageFinalized);
                writer.U64(r.Sequence);
                writer.Uuid(r.MessageId);
                writer.Str(r.SourceLink);
                writer.Str(r.SourceNode);
                writer.U8((byte)r.State);
                writer.U32(r.Recipients);
                writer.U32(r.Confirmed);
                writer.I64(r.AtUs);
                writer.Str(r.Detail);
                break;
            case StatusHeld r:
                writer.U8((byte)Kind.StatusHeld);
                writer.Uuid(r.MessageId);
                writer.Str(r.Node);
                writer.U8((byte)r.State);
                writer.U32(r.Recipients);
                writer.U32(r.Confirmed);
                writer.I64(r.AtUs);
                writer.Str(r.Detail);
                break;
            case StatusForwarded r:
                writer.U8((byte)Kind.StatusForwarded);
                writer.U64(r.Sequence);
                break;
            case StatusConfirmed r:
                writer.U8((byte)Kind.StatusConfirmed);
                writer.Str(r.Node);
                writer.Uuid(r.MessageId);
                break;
            case StatusesConfirmed r:
                writer.U8((byte)Kind.StatusesConfirmed);
                writer.Str(r.Node);
                writer.U32((uint)r.MessageIds.Length);
                foreach (Guid id in r.MessageIds)
                {
                    writer.Uuid(id);
                }

                break;
            case NodeJoined r:
                writer.U8((byte)Kind.NodeJoined);
                writer.Str(r.Node);
                break;
            case NodeLeft r:
                writer.U8((byte)Kind.NodeLeft);
                writer.Str(r.Node);
                break;
            case PortBound r:
                writer.U8((byte)Kind.PortBound);
                WriteBinding(ref writer, r);
                break;
            case PortUnbound r:
                writer.U8((byte)Kind.PortUnbound);
                writer.Str(r.Node);
                writer.Str(r.Port);
                writer.U8(r.Subtree ? (byte)1 : (byte)0);
                break;
            case Checkpoint r:
                writer.U8((byte)Kind.Checkpoint);
                writer.U64(r.LastSequence);
                writer.U32((uint)r.PortSequences.Length);
                foreach (KeyValuePair<string, ulong> entry in r.PortSequences)
                {
                    writer.Str(entry.Key);
                    writer.U64(entry.Value);
                }

                writer.StrArray(r.Members);
                writer.U32((uint)r.Bindings.Length);
                foreach (PortBound binding in r.Bindings)
                {
                    WriteBinding(ref writer, binding);
                }

                // A tail that checkpoints written before the duplicate window lack: the remembered ids.
                writer.U32((uint)r.Remembered.Length);
                foreach (RememberedId id in r.Remembered)
                {
                    writer.Str(id.Link);
                    writer.Str(id.Node);
                    writer.Uuid(id.Id);
                    writer.U64(id.Sequence);
                    writer.I64(id.FinalAtUs);
                }

                break;
            case StorageProbed r:
                writer.U8((byte)Kind.StorageProbed);
                writer.I64(r.AtUs);
                break;
            default:
                throw new ArgumentException("unknown record " + record.GetType().Name, nameof(record));
        }
    }

    public static LinkRecord Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        var kind = (Kind)reader.U8();
        LinkRecord record = kind switch
        {
            Kind.MessageAccepted => ReadAccepted(ref reader),
            Kind.DeliveryAttempted => new DeliveryAttempted(reader.U64(), reader.Str(), reader.U16()),
            Kind.RecipientSettled => new RecipientSettled(reader.U64(), reader.Str(), (RecipientOutcome)reader.U8()),
            Kind.RecipientReassigned => new RecipientReassigned(reader.U64(), reader.Str(), reader.Str()),
            Kind.MessageFinalized => new MessageFinalized(reader.U64(), reader.Uuid(), reader.Str(), reader.Str(), (FinalState)reader.U8(),
                reader.U32(), reader.U32(), reader.I64(), reader.Str()),
            Kind.StatusHeld => new StatusHeld(reader.Uuid(), reader.Str(), (FinalState)reader.U8(), reader.U32(), reader.U32(), reader.I64(), reader.Str()),
            Kind.StatusForwarded => new StatusForwarded(reader.U64()),
            Kind.StatusConfirmed => new StatusConfirmed(reader.Str(), reader.Uuid()),
            Kind.NodeJoined => new NodeJoined(reader.Str()),
            Kind.NodeLeft => new NodeLeft(reader.Str()),
            Kind.PortBound => ReadBinding(ref reader),
            Kind.PortUnbound => new PortUnbound(reader.Str(), reader.Str(), reader.U8() != 0),
            Kind.Checkpoint => ReadCheckpoint(ref reader),
            Kind.RecipientsSettled => ReadSettlements(ref reader),
            Kind.StatusesConfirmed => ReadConfirmations(ref reader),
            Kind.StorageProbed => new StorageProbed(reader.I64()),
            _ => throw new InvalidDataException($"unknown link record kind {(byte)kind}"),
        };

        reader.EnsureEnd();
        return record;
    }

    // A tail may follow a MessageAccepted's payload: a flags byte (bit 0 parted, bit 1 SUBTREE, bit 2 unicast-from,
    // bit 3 TRACED, bit 4 REPLY), then a parted message's descriptor, the unicast-from index, the REPLY fields and the
    // traceparent, in that order. Records written before parts existed end at the payload; those written before
    // SUBTREE was kept have flags 1 (parted) or no tail.
    private const byte TailParted = 1;
    private const byte TailSubtree = 2;
    private const byte TailUnicastFrom = 4;
    private const byte TailTraced = 8;

    // 0x10, as the wire's REPLY bit: the correlation id, reply link and reply port follow the unicast-from index.
    private const byte TailReply = 0x10;

    private static void WriteTail(ref Writer writer, MessageAccepted accepted)
    {
        TransferDescriptor? transfer = accepted.Transfer;
        bool unicastFrom = accepted.UnicastFrom >= 0;
        byte flags = (byte)((transfer is null ? 0 : TailParted) | (accepted.Subtree ? TailSubtree : 0) | (unicastFrom ? TailUnicastFrom : 0)
            | (accepted.Reply is null ? 0 : TailReply) | (accepted.TraceParent is null ? 0 : TailTraced));
        if (flags == 0)
        {
            return;
        }

        writer.U8(flags);
        if (transfer is not null)
        {
            writer.I64(transfer.TotalSize);
            writer.U32((uint)transfer.PartSize);
            writer.U32((uint)transfer.PartCount);
            writer.Bytes(transfer.Sha256);
        }

        if (unicastFrom)
        {
            writer.U32((uint)accepted.UnicastFrom);
        }

        if (accepted.Reply is { } reply)
        {
            writer.Uuid(reply.CorrelationId);
            writer.Str(reply.Link);
            writer.Str(reply.Port);
        }

        if (accepted.TraceParent is { } traceParent)
        {
            writer.Str(traceParent);
        }
    }

    private static MessageAccepted ReadAccepted(ref Reader reader)
    {
        var accepted = new MessageAccepted(reader.U64(), reader.Uuid(), reader.I64(), reader.I64(), reader.Str(), reader.Str(),
            reader.Str(), (PortMode)reader.U8(), reader.U64(), reader.StrArray(), reader.Bytes());
        byte flags = reader.AtEnd ? (byte)0 : reader.U8();
        if (flags == 0)
        {
            return accepted;
        }

        TransferDescriptor? transfer = (flags & TailParted) != 0
            ? new TransferDescriptor(reader.I64(), (int)reader.U32(), (int)reader.U32(), reader.Bytes())
            : null;
        int unicastFrom = (flags & TailUnicastFrom) != 0 ? (int)reader.U32() : -1;
        ReplyRoute? reply = (flags & TailReply) != 0 ? new ReplyRoute(reader.Uuid(), reader.Str(), reader.Str()) : null;
        string? traceParent = (flags & TailTraced) != 0 ? reader.Str() : null;
        return accepted with { Transfer = transfer, Subtree = (flags & TailSubtree) != 0, UnicastFrom = unicastFrom, Reply = reply, TraceParent = traceParent };
    }

    private static void WriteBinding(ref Writer writer, PortBound binding)
    {
        writer.Str(binding.Node);
        writer.Str(binding.Port);
        writer.U8((byte)binding.Mode);
        writer.U8(binding.Subtree ? (byte)1 : (byte)0);
    }

    private static PortBound ReadBinding(ref Reader reader) =>
        new(reader.Str(), reader.Str(), (PortMode)reader.U8(), reader.U8() != 0);

    private static Checkpoint ReadCheckpoint(ref Reader reader)
    {
        ulong last = reader.U64();
        var ports = new KeyValuePair<string, ulong>[reader.Count()];
        for (int i = 0; i < ports.Length; i++)
        {
            ports[i] = new KeyValuePair<string, ulong>(reader.Str(), reader.U64());
        }

        string[] members = reader.StrArray();
        var bindings = new PortBound[reader.Count()];
        for (int i = 0; i < bindings.Length; i++)
        {
            bindings[i] = ReadBinding(ref reader);
        }

        if (reader.AtEnd)
        {
            return new Checkpoint(last, ports, members, bindings);
        }

        var remembered = new RememberedId[reader.Count()];
        for (int i = 0; i < remembered.Length; i++)
        {
            remembered[i] = new RememberedId(reader.Str(), reader.Str(), reader.Uuid(), reader.U64(), reader.I64());
        }

        return new Checkpoint(last, ports, members, bindings, remembered);
    }

    internal readonly ref struct Writer(ArrayBufferWriter<byte> output)
    {
        public void U8(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        public void U16(ushort value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(output.GetSpan(2), value);
            output.Advance(2);
        }

        public void U32(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output.GetSpan(4), value);
            output.Advance(4);
        }

        public void U64(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public void I64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public void Uuid(Guid value)
        {
            value.TryWriteBytes(output.GetSpan(16), bigEndian: true, out _);
            output.Advance(16);
        }

        public void Str(string value)
        {
            int length = Encoding.UTF8.GetByteCount(value);
            U16(checked((ushort)length));
            Encoding.UTF8.GetBytes(value, output.GetSpan(length));
            output.Advance(length);
        }

        public void StrArray(string[] values)
        {
            U32((uint)values.Length);
            foreach (string value in values)
            {
                Str(value);
            }
        }

        public void Bytes(byte[] value)
        {
            U32((uint)value.Length);
            output.Write(value);
        }
    }

    private static RecipientsSettled ReadSettlements(ref Reader reader)
    {
        string node = reader.Str();
        long atUs = reader.I64();
        var settlements = new Settlement[reader.Count()];
        for (int i = 0; i < settlements.Length; i++)
        {
            settlements[i] = new Settlement(reader.U64(), (RecipientOutcome)reader.U8());
        }

        return new RecipientsSettled(node, atUs, settlements);
    }

    private static StatusesConfirmed ReadConfirmations(ref Reader reader)
    {
        string node = reader.Str();
        var ids = new Guid[reader.Count()];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = reader.Uuid();
        }

        return new StatusesConfirmed(node, ids);
    }

    internal ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public readonly bool AtEnd => _position == _bytes.Length;

        public byte U8() => Take(1)[0];

        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public Guid Uuid() => new(Take(16), bigEndian: true);

        public string Str() => Encoding.UTF8.GetString(Take(U16()));

        public int Count()
        {
            uint count = U32();
            return count <= (uint)(_bytes.Length - _position) ? (int)count : throw new InvalidDataException("link record list longer than the record");
        }

        public string[] StrArray()
        {
            var values = new string[Count()];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = Str();
            }

            return values;
        }

        public byte[] Bytes() => Take(checked((int)U32())).ToArray();

        public readonly void EnsureEnd()
        {
            if (_position != _bytes.Length)
            {
                throw new InvalidDataException($"link record has {_bytes.Length - _position} trailing bytes");
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_bytes.Length - _position < count)
            {
                throw new InvalidDataException("link record ends early");
            }

            ReadOnlySpan<byte> slice = _bytes.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
