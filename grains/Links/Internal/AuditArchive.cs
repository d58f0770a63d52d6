using System.Buffers;
using TamTam.Storage;

namespace TamTam.Grains.Links.Internal;

/// <summary>
/// The archived part of a link's final-state ledger: the audit log <c>audit/&lt;link&gt;</c>, appended by the link's
/// compactions in acceptance order and truncated from its start once entries pass their retention. Opened on first
/// use, never on the send path. Reads stream the log segment by segment: nothing here holds more than one page.
/// </summary>
/// <remarks>
/// Exactly once: compaction archives the entries whose acceptance it drops, then truncates the link's log. A crash
/// between the two replays those entries into memory again; <see cref="Watermark"/> (the acceptance LSN of the last
/// archived entry) makes the next compaction skip them.
/// </remarks>
internal sealed class AuditArchive(ISegmentLogStore logs, string link) : IAsyncDisposable
{
    private ISegmentLog? _log;

    /// <summary>The acceptance LSN of the newest archived entry; 0 when nothing is archived (or not opened yet).</summary>
    public long Watermark { get; private set; }

    /// <summary>The LSN of the first archived record still stored (the audit cursor's start).</summary>
    public long FirstLsn => _log?.FirstLsn ?? 1;

    public async ValueTask<ISegmentLog> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_log is not null)
        {
            return _log;
        }

        ISegmentLog log = await logs.OpenAsync("audit/" + link, cancellationToken);
        if (log.NextLsn > log.FirstLsn)
        {
            await foreach (LogRecord last in log.ReadAsync(log.NextLsn - 1, cancellationToken))
            {
                Watermark = LedgerEntryCodec.Decode(last.Data.Span).AcceptedLsn;
            }
        }

        _log = log;
        return log;
    }

    /// <summary>Appends <paramref name="entries"/> (in acceptance order) but those archived already; returns how many it wrote.</summary>
    public async Task<int> AppendAsync(List<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        ISegmentLog log = await OpenAsync(cancellationToken);
        var encoded = new List<ReadOnlyMemory<byte>>(entries.Count);
        var buffer = new ArrayBufferWriter<byte>(256);
        long watermark = Watermark;
        foreach (LedgerEntry entry in entries)
        {
            if (entry.AcceptedLsn > 0 && entry.AcceptedLsn <= Watermark)
            {
                continue;
            }

            buffer.ResetWrittenCount();
            LedgerEntryCodec.Encode(entry, buffer);
            encoded.Add(buffer.WrittenSpan.ToArray());
            watermark = Math.Max(watermark, entry.AcceptedLsn);
        }

        if (encoded.Count > 0)
        {
            await log.AppendAsync(encoded, cancellationToken);
            Watermark = watermark;
        }

        return encoded.Count;
    }

    /// <summary>
    /// The newest archived entry of message <paramref name="messageId"/> that <paramref name="may"/> allows and that ended
    /// at or after <paramref name="cutoffUs"/>. A scan of the archive, read a segment at a time: the descriptor grain
    /// that asked keeps a final answer, so a message is looked up here once per activation.
    /// </summary>
    public async Task<LedgerEntry?> FindAsync(Guid messageId, Func<string, string, bool> may, long cutoffUs, CancellationToken cancellationToken)
    {
        ISegmentLog log = await OpenAsync(cancellationToken);
        LedgerEntry? found = null;
        await foreach (LogRecord record in log.ReadAsync(log.FirstLsn, cancellationToken))
        {
            if (LedgerEntryCodec.MessageIdOf(record.Data.Span) != messageId)
            {
                continue;
            }

            LedgerEntry entry = LedgerEntryCodec.Decode(record.Data.Span);
            if (entry.FinalAtUs >= cutoffUs && may(entry.SourceLink, entry.SourceNode))
            {
                found = entry;
            }
        }

        return found;
    }

    /// <summary>
    /// At most <paramref name="limit"/> unexpired entries from archive LSN <paramref name="fromLsn"/> on, and the LSN after
    /// the last one read (0 when the archive has no more).
    /// </summary>
    public async Task<(List<LedgerEntry> Entries, long Next)> ReadAsync(long fromLsn, int limit, long cutoffUs, CancellationToken cancellationToken)
    {
        ISegmentLog log = await OpenAsync(cancellationToken);
        var entries = new List<LedgerEntry>(limit);
        long next = 0;
        await foreach (LogRecord record in log.ReadAsync(Math.Max(fromLsn, log.FirstLsn), cancellationToken))
        {
            LedgerEntry entry = LedgerEntryCodec.Decode(record.Data.Span);
            next = record.Lsn + 1;
            if (entry.FinalAtUs >= cutoffUs)
            {
                entries.Add(entry);
                if (entries.Count == limit)
                {
                    break;
                }
            }
        }

        return (entries, next >= log.NextLsn ? 0 : next);
    }

    /// <summary>The archive LSN of the first entry accepted after <paramref name="acceptedLsn"/>; 0 when there is none.</summary>
    public async Task<long> SeekAsync(long acceptedLsn, CancellationToken cancellationToken)
    {
        ISegmentLog log = await OpenAsync(cancellationToken);
        if (Watermark <= acceptedLsn)
        {
            return 0;
        }

        await foreach (LogRecord record in log.ReadAsync(log.FirstLsn, cancellationToken))
        {
            if (LedgerEntryCodec.Decode(record.Data.Span).AcceptedLsn > acceptedLsn)
            {
                return record.Lsn;
            }
        }

        return 0;
    }

    /// <summary>Drops the archive's prefix of entries that ended before <paramref name="cutoffUs"/> (retention).</summary>
    public async Task TruncateExpiredAsync(long cutoffUs, CancellationToken cancellationToken)
    {
        ISegmentLog log = await OpenAsync(cancellationToken);
        long keepFrom = log.NextLsn;
        await foreach (LogRecord record in log.ReadAsync(log.FirstLsn, cancellationToken))
        {
            if (LedgerEntryCodec.Decode(record.Data.Span).FinalAtUs >= cutoffUs)
            {
                keepFrom = record.Lsn;
                break;
            }
        }

        if (keepFrom > log.FirstLsn)
        {
            await log.TruncateBeforeAsync(keepFrom, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync();
            _log = null;
        }
    }
}
