using System.Buffers;
using TamTam.Protocol;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The binary form of a <see cref="LedgerEntry"/> in a link's audit log: a version byte, then the fields as
/// <see cref="LinkRecordCodec"/> writes them. The message id sits at a fixed offset, so a lookup by id reads 16 bytes of
/// each record, not the record.
/// </summary>
internal static class LedgerEntryCodec
{
    private const byte Version = 1;
    private const int IdOffset = 1 + 8;

    public static void Encode(LedgerEntry entry, ArrayBufferWriter<byte> output)
    {
        var writer = new LinkRecordCodec.Writer(output);
        writer.U8(Version);
        writer.U64(entry.Sequence);
        writer.Uuid(entry.MessageId);
        writer.I64(entry.AcceptedLsn);
        writer.I64(entry.AcceptedAtUs);
        writer.I64(entry.DeadlineUs);
        writer.Str(entry.SourceLink);
        writer.Str(entry.SourceNode);
        writer.Str(entry.Port);
        writer.U8((byte)entry.State);
        writer.U32(entry.Confirmed);
        writer.I64(entry.FinalAtUs);
        writer.Str(entry.Detail);
        writer.U32((uint)entry.Recipients.Length);
        for (int i = 0; i < entry.Recipients.Length; i++)
        {
            writer.Str(entry.Recipients[i]);
            writer.U8((byte)entry.Outcomes[i]);
            writer.U16(entry.Attempts[i]);
        }
    }

    /// <summary>The message id of an encoded entry, without decoding the rest.</summary>
    public static Guid MessageIdOf(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= IdOffset + 16 ? new Guid(bytes.Slice(IdOffset, 16), bigEndian: true) : throw new InvalidDataException("ledger entry ends early");

    public static LedgerEntry Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new LinkRecordCodec.Reader(bytes);
        byte version = reader.U8();
        if (version != Version)
        {
            throw new InvalidDataException($"ledger entry of unknown version {version}");
        }

        ulong sequence = reader.U64();
        Guid id = reader.Uuid();
        long acceptedLsn = reader.I64();
        long acceptedAt = reader.I64();
        long deadline = reader.I64();
        string sourceLink = reader.Str();
        string sourceNode = reader.Str();
        string port = reader.Str();
        var state = (FinalState)reader.U8();
        uint confirmed = reader.U32();
        long finalAt = reader.I64();
        string detail = reader.Str();
        int count = reader.Count();
        var recipients = new string[count];
        var outcomes = new RecipientOutcome[count];
        var attempts = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            recipients[i] = reader.Str();
            outcomes[i] = (RecipientOutcome)reader.U8();
            attempts[i] = reader.U16();
        }

        reader.EnsureEnd();
        return new LedgerEntry(sequence, id, acceptedLsn, acceptedAt, deadline, sourceLink, sourceNode, port, state, confirmed, finalAt, detail,
            recipients, outcomes, attempts);
    }
}
