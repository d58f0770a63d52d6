using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Descriptors;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Links;

// Messages as descriptors: lookups (pending, in the ledger's memory part, in its archive), cancellation, the audit trail,
// and the archiving step of compaction. Nothing here runs on the send path.
public sealed partial class LinkGrain
{
    /// <summary>Audit cursors with this bit are past the archive: the rest is the acceptance LSN of the last entry returned.</summary>
    private const ulong MemoryCursor = 1UL << 63;

    /// <summary>The most entries one audit page holds, whatever was asked.</summary>
    public const int MaxAuditPage = 1024;

    private AuditArchive? _archive;

    private AuditArchive Archive => _archive ??= new AuditArchive(_logs, Link);

    public async Task<DescriptorAnswer> DescribeMessageAsync(Guid messageId, MessageRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        if (Ledger.FindPending(messageId, requester.May) is { } pending)
        {
            // An acceptance not yet durable is not answered before it is: the sender has no ACCEPTED for it either.
            await pending.Durable;
            return DescriptorAnswer.Of(Ledger.Messages.ContainsKey(pending.Sequence) || Ledger.FindFinal(messageId, requester.May) is not { } ended
                ? _core.Describe(pending)
                : _core.Describe(ended));
        }

        long cutoff = _core.LedgerCutoffUs(_core.NowUs());
        if (Ledger.FindFinal(messageId, requester.May) is { } entry && entry.FinalAtUs >= cutoff)
        {
            return DescriptorAnswer.Of(_core.Describe(entry));
        }

        try
        {
            if (await Archive.FindAsync(messageId, requester.May, cutoff, CancellationToken.None) is { } archived)
            {
                return DescriptorAnswer.Of(_core.Describe(archived));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LinkLog.ArchiveReadFailed(_logger, Link, e);
            return DescriptorAnswer.Fail(ErrorCode.Unavailable, $"link \"{Link}\" could not read its final-state ledger; try again");
        }

        return DescriptorAnswer.Fail(ErrorCode.UnknownMessage, UnknownMessage(messageId, requester));
    }

    public async Task<OperationResult> CancelMessageAsync(Guid messageId, MessageRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        if (_faulted)
        {
            return Unavailable();
        }

        if (Ledger.FindPending(messageId, requester.May) is { } pending)
        {
            await pending.Durable;

            // Decided here, between two awaits, in the link's one order: an ACK that settled the message first made it
            // final, and this CANCEL finds it so; a CANCEL first settles every delivery, and a later ACK finds none (304).
            if (!_faulted && Ledger.Messages.ContainsKey(pending.Sequence))
            {
                long now = _core.NowUs();
                var records = new List<LinkRecord>();
                var finalized = new List<MessageFinalized>();
                string by = requester.Node.Length > 0 ? $"{requester.Link}/{requester.Node}" : "an operator";
                _core.Cancel(pending, by, now, records, finalized);
                if (await CommitTrackedAsync(records) == 0)
                {
                    return Unavailable();
                }

                LinkLog.Canceled(_logger, Link, messageId, pending.Sequence, by);
                AfterFinalized(finalized);
                foreach (Recipient recipient in pending.Recipients)
                {
                    Dispatch(Ledger.Node(recipient.Node), now);
                }

                return OperationResult.Ok;
            }
        }

        if (_faulted)
        {
            return Unavailable();
        }

        DescriptorAnswer known = await DescribeMessageAsync(messageId, requester);
        return known.Descriptor is { State: { } state } final
            ? OperationResult.Fail(ErrorCode.NotCancelable,
                $"message {messageId} (sequence {final.Sequence}) is final already: {state.WireName()} at {DateTimeOffset.UnixEpoch.AddTicks(final.FinalAtUs * 10):O}")
            : OperationResult.Fail(known.Code, known.Detail ?? UnknownMessage(messageId, requester));
    }

    public async Task<AuditPage> ReadAuditAsync(ulong cursor, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxAuditPage);
        long cutoff = _core.LedgerCutoffUs(_core.NowUs());
        var lines = new List<AuditLine>(limit);
        long archiveFrom;
        long memoryAfter;
        if ((cursor & MemoryCursor) == 0)
        {
            archiveFrom = cursor == 0 ? 1 : (long)cursor;
            memoryAfter = -1;
        }
        else
        {
            // A compaction since the last page may have moved entries after the cursor into the archive: find them there.
            memoryAfter = (long)(cursor & ~MemoryCursor);
            await Archive.OpenAsync();
            archiveFrom = Archive.Watermark > memoryAfter ? await Archive.SeekAsync(memoryAfter, CancellationToken.None) : 0;
        }

        if (archiveFrom > 0)
        {
            (List<LedgerEntry> archived, long next) = await Archive.ReadAsync(archiveFrom, limit, cutoff, CancellationToken.None);
            foreach (LedgerEntry entry in archived)
            {
                lines.Add(LinkOrchestrator.ToAuditLine(entry));
            }

            if (next != 0)
            {
                return new AuditPage((ulong)next, [.. lines]);
            }

            // Everything in memory was accepted after the archive's last entry.
            memoryAfter = Archive.Watermark;
        }

        List<LedgerEntry> recent = Ledger.FinalsAfter(memoryAfter, limit - lines.Count, cutoff);
        foreach (LedgerEntry entry in recent)
        {
            lines.Add(LinkOrchestrator.ToAuditLine(entry));
        }

        ulong following = lines.Count == limit && recent.Count > 0 ? MemoryCursor | (ulong)recent[^1].AcceptedLsn : 0;
        return new AuditPage(following, [.. lines]);
    }

    /// <summary>
    /// Before a compaction drops the records below <paramref name="oldest"/>: the ledger entries of the messages accepted
    /// there go to the archive (and the archive's expired prefix goes). False when that failed: the log must not be cut.
    /// </summary>
    private async Task<bool> ArchiveBeforeAsync(long oldest, CancellationToken cancellationToken)
    {
        long cutoff = _core.LedgerCutoffUs(_core.NowUs());
        List<LedgerEntry> archivable = Ledger.PeekArchivable(oldest, cutoff);
        try
        {
            int written = await Archive.AppendAsync(archivable, cancellationToken);
            await Archive.TruncateExpiredAsync(cutoff, cancellationToken);
            LinkLog.Archived(_logger, Link, written, oldest);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LinkLog.ArchiveFailed(_logger, Link, e);
            return false;
        }

        Ledger.DropArchived(oldest);
        return true;
    }

    private string UnknownMessage(Guid messageId, MessageRequester requester) => requester.AnySender
        ? $"link \"{Link}\" knows no message {messageId} (never sent there, or its final state is older than the ledger's retention)"
        : $"link \"{Link}\" knows no message {messageId} sent by node \"{requester.Node}\" of link \"{requester.Link}\" (never sent, or older than the ledger's retention)";
}
