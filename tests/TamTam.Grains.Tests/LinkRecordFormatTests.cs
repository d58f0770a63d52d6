using TamTam.Grains.Links.Internal;
using TamTam.Interfaces.Links;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.Grains.Tests;

/// <summary>
/// The link log's record format: the batch records read back as written, and a log written before them (one
/// settlement, finalization and confirmation record per message) still replays to the same state.
/// </summary>
public sealed class LinkRecordFormatTests
{
    private const string Link = "format";

    [Fact]
    public void Settlement_and_confirmation_batches_read_back_as_written()
    {
        var settled = new RecipientsSettled("worker", 1234, [new Settlement(7, RecipientOutcome.Acknowledged), new Settlement(9, RecipientOutcome.Rejected)]);
        var confirmed = new StatusesConfirmed("sender", [Guid.NewGuid(), Guid.NewGuid()]);

        var settledBack = Assert.IsType<RecipientsSettled>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(settled)));
        var confirmedBack = Assert.IsType<StatusesConfirmed>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(confirmed)));

        Assert.Equal((settled.Node, settled.AtUs), (settledBack.Node, settledBack.AtUs));
        Assert.Equal(settled.Settlements, settledBack.Settlements);
        Assert.Equal(confirmed.Node, confirmedBack.Node);
        Assert.Equal(confirmed.MessageIds, confirmedBack.MessageIds);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Acceptance_keeps_its_subtree_flag_and_transfer_descriptor(bool subtree, bool parted)
    {
        TransferDescriptor? transfer = parted ? new TransferDescriptor(3_000_000, 1_048_576, 3, new byte[32]) : null;
        MessageAccepted accepted = Accepted(5, Guid.NewGuid()) with { Subtree = subtree, Transfer = transfer };

        var back = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(accepted)));

        Assert.Equal(subtree, back.Subtree);
        Assert.Equal(transfer?.TotalSize, back.Transfer?.TotalSize);
        Assert.Equal(transfer?.PartCount, back.Transfer?.PartCount);
        Assert.Equal(accepted.Payload, back.Payload);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Acceptance_keeps_the_senders_trace_context_beside_its_other_tail_fields(bool parted)
    {
        const string traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        TransferDescriptor? transfer = parted ? new TransferDescriptor(3_000_000, 1_048_576, 3, new byte[32]) : null;
        MessageAccepted accepted = Accepted(7, Guid.NewGuid()) with { Transfer = transfer, Subtree = true, TraceParent = traceParent };

        var back = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(accepted)));
        var untraced = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(accepted with { TraceParent = null })));

        Assert.Equal((traceParent, true, transfer?.PartCount), (back.TraceParent, back.Subtree, back.Transfer?.PartCount));
        Assert.Null(untraced.TraceParent);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Acceptance_keeps_its_reply_fields_beside_the_rest_of_its_tail(bool parted)
    {
        var request = new ReplyRoute(Guid.NewGuid(), "shop", "_reply/web-1");
        TransferDescriptor? transfer = parted ? new TransferDescriptor(3_000_000, 1_048_576, 3, new byte[32]) : null;
        MessageAccepted accepted = Accepted(7, Guid.NewGuid()) with { Reply = request, Transfer = transfer, UnicastFrom = 1, Subtree = true };
        MessageAccepted reply = Accepted(8, Guid.NewGuid()) with { Reply = new ReplyRoute(request.CorrelationId, "", "") };

        var requestBack = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(accepted)));
        var replyBack = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(reply)));
        var plainBack = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(Accepted(9, Guid.NewGuid()))));

        Assert.Equal(request, requestBack.Reply);
        Assert.Equal((1, true, transfer?.TotalSize), (requestBack.UnicastFrom, requestBack.Subtree, requestBack.Transfer?.TotalSize));
        Assert.Equal(reply.Reply, replyBack.Reply);
        Assert.Null(plainBack.Reply);
    }

    [Fact]
    public void Acceptance_keeps_where_its_unicast_recipients_start_and_an_acceptance_without_it_reads_by_its_mode()
    {
        MessageAccepted mixed = Accepted(6, Guid.NewGuid()) with
        {
            Mode = PortMode.Group,
            Recipients = ["audit", "billing", "eu1"],
            UnicastFrom = 2,
            Subtree = true,
        };

        var back = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(mixed)));
        Assert.Equal((2, 2, true), (back.UnicastFrom, back.FirstUnicast, back.Subtree));

        // Written without it (as every log before it was): a group message moves none of its deliveries, a unicast one all.
        var group = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(mixed with { UnicastFrom = -1 })));
        Assert.Equal(3, group.FirstUnicast);
        var unicast = Assert.IsType<MessageAccepted>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(mixed with { UnicastFrom = -1, Mode = PortMode.Unicast })));
        Assert.Equal(0, unicast.FirstUnicast);
    }

    [Fact]
    public void A_log_of_single_records_and_a_log_of_batches_replay_to_the_same_statuses()
    {
        Guid delivered = Guid.NewGuid();
        Guid rejected = Guid.NewGuid();
        Guid confirmed = Guid.NewGuid();
        LinkRecord[] common = [new NodeJoined("sender"), new NodeJoined("worker"), new PortBound("worker", "jobs", PortMode.Unicast, false),
            Accepted(1, delivered), Accepted(2, rejected), Accepted(3, confirmed)];

        // Before batch records: each settlement, finalization and confirmation is a record of its own.
        LinkLedger singles = Replay([.. common,
            new RecipientSettled(1, "worker", RecipientOutcome.Acknowledged),
            Finalized(1, delivered, FinalState.Delivered, confirmed: 1, "confirmed by 1 of 1"),
            new RecipientSettled(2, "worker", RecipientOutcome.Rejected),
            Finalized(2, rejected, FinalState.Rejected, confirmed: 0, "a recipient rejected it"),
            new RecipientSettled(3, "worker", RecipientOutcome.Acknowledged),
            Finalized(3, confirmed, FinalState.Delivered, confirmed: 1, "confirmed by 1 of 1"),
            new StatusConfirmed("sender", confirmed)]);

        // With them: one record per ACK batch finalizes what it settles; one per STATUS_ACK batch.
        LinkLedger batches = Replay([.. common,
            new RecipientsSettled("worker", 100, [new(1, RecipientOutcome.Acknowledged), new(2, RecipientOutcome.Rejected), new(3, RecipientOutcome.Acknowledged)]),
            new StatusesConfirmed("sender", [confirmed])]);

        foreach (LinkLedger ledger in new[] { singles, batches })
        {
            Assert.Empty(ledger.Messages);
            Assert.Empty(ledger.Node("worker").Inbox);
            Assert.Equal(
                [(delivered, FinalState.Delivered, 1u, 1u, "confirmed by 1 of 1"), (rejected, FinalState.Rejected, 1u, 0u, "a recipient rejected it")],
                ledger.HeldStatusesFor("sender").Select(s => (s.MessageId, s.State, s.Recipients, s.Confirmed, s.Detail)).OrderBy(s => s.State));
            Assert.True(ledger.TryGetAccepted(Link, "sender", delivered, out ulong sequence));
            Assert.Equal(1ul, sequence);
            Assert.False(ledger.HoldsStatus("sender", confirmed));

            // Confirmed, the status is forgotten but the id stays a duplicate for the duplicate window.
            Assert.True(ledger.TryGetAccepted(Link, "sender", confirmed, out ulong confirmedSequence));
            Assert.Equal(3ul, confirmedSequence);
            Assert.True(ledger.ConfirmedRecently("sender", confirmed));
        }
    }

    private static LinkLedger Replay(LinkRecord[] records)
    {
        var ledger = new LinkLedger(Link);
        for (int i = 0; i < records.Length; i++)
        {
            ledger.Apply(LinkRecordCodec.Decode(LinkRecordCodec.Encode(records[i])), i + 1);
        }

        return ledger;
    }

    private static MessageAccepted Accepted(ulong sequence, Guid id) =>
        new(sequence, id, 10, long.MaxValue, Link, "sender", "jobs", PortMode.Unicast, sequence, ["worker"], [1, 2, 3]);

    private static MessageFinalized Finalized(ulong sequence, Guid id, FinalState state, uint confirmed, string detail) =>
        new(sequence, id, Link, "sender", state, 1, confirmed, 100, detail);
}
