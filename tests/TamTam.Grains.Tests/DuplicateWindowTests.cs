using Microsoft.Extensions.DependencyInjection;
using TamTam.Grains.Links.Internal;
using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Storage.Local;

namespace TamTam.Grains.Tests;

/// <summary>
/// A message id stays a duplicate after its status was confirmed, for the link's duplicate window, across restarts
/// and compaction; a repeated STATUS_ACK within it is known, an unknown one is answered 307.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class DuplicateWindowTests(SingleSiloCluster cluster)
{
    [Fact]
    public async Task Send_repeated_after_its_status_was_confirmed_is_a_duplicate_across_compaction_and_restart()
    {
        string link = cluster.NewLink("dup-window");
        TestNode sender = cluster.Node(link, "sender");
        TestNode worker = cluster.Node(link, "worker");
        await sender.JoinAsync();
        await worker.JoinAsync();
        await worker.BindAsync("jobs", PortMode.Unicast);
        Guid id = Guid.NewGuid();
        SendOutcome original = await sender.SendAsync("jobs", id: id);
        Assert.Equal(ErrorCode.None, await worker.AckAsync(await worker.ReceiveAsync()));
        Assert.Equal(id, (await sender.NextStatusAsync()).MessageId);
        Assert.Equal([ErrorCode.None], await sender.ConfirmAsync(id));

        await AssertDuplicateAsync(sender, worker, id, original.Sequence);
        Assert.Equal([ErrorCode.None], await sender.ConfirmAsync(id)); // a repeated STATUS_ACK is known

        // Enough traffic that compaction drops the segments holding the message's records: the checkpoint keeps its id.
        for (int done = 0; done < 150; done += 10)
        {
            SendOutcome[] outcomes = await sender.SendBatchAsync(
                [.. Enumerable.Range(0, 10).Select(_ => new SendCommand(Guid.NewGuid(), "jobs", false, 0, new byte[100]))]);
            var deliveries = new List<Delivery>();
            for (int i = 0; i < outcomes.Length; i++)
            {
                deliveries.Add(await worker.ReceiveAsync());
            }

            await worker.AnswerAsync([.. deliveries.Select(TestNode.Ack)]);
            var statuses = new List<Guid>();
            for (int i = 0; i < outcomes.Length; i++)
            {
                statuses.Add((await sender.NextStatusAsync()).MessageId);
            }

            await sender.ConfirmAsync([.. statuses]);
        }

        string directory = cluster.Cluster.GetSiloServiceProvider().GetRequiredService<LocalSegmentLogStore>().GetLogDirectory("links/" + link);
        await Patience.Until(
            () => Task.FromResult(!File.Exists(Path.Combine(directory, "00000000000000000001.seg"))),
            "compaction drops the link's first segment");

        await sender.DetachAsync();
        await worker.DetachAsync();
        await cluster.DeactivateAsync(link);
        await sender.JoinAsync();
        await worker.JoinAsync();

        await AssertDuplicateAsync(sender, worker, id, original.Sequence);
        Assert.Equal([ErrorCode.None], await sender.ConfirmAsync(id));
    }

    [Fact]
    public async Task Status_ack_of_an_id_the_link_never_held_is_answered_307()
    {
        string link = cluster.NewLink("status-ack-unknown");
        TestNode sender = cluster.Node(link, "sender");
        TestNode worker = cluster.Node(link, "worker");
        await sender.JoinAsync();
        await worker.JoinAsync();
        await worker.BindAsync("jobs", PortMode.Unicast);
        Guid held = (await SendAndSettleAsync(sender, worker)).MessageId;

        ErrorCode[] results = await sender.ConfirmAsync(Guid.NewGuid(), held);

        Assert.Equal([ErrorCode.UnknownMessage, ErrorCode.None], results);
    }

    [Fact]
    public void Remembered_ids_are_bounded_by_count_and_by_time()
    {
        var ids = new RememberedIds(TimeSpan.FromSeconds(1), capacity: 3);
        Guid[] sent = [.. Enumerable.Range(0, 5).Select(_ => Guid.NewGuid())];
        for (int i = 0; i < sent.Length; i++)
        {
            ids.Add(new RememberedId("l", "n", sent[i], (ulong)i + 1, FinalAtUs: i * 100_000));
        }

        Assert.Equal(3, ids.Count);
        Assert.False(ids.TryGet("l", "n", sent[1], out _));
        Assert.True(ids.TryGet("l", "n", sent[2], out RememberedId kept));
        Assert.Equal(3UL, kept.Sequence);

        ids.Prune(1_300_000); // the window of the ids final at 0.2 s and 0.3 s has passed
        Assert.False(ids.TryGet("l", "n", sent[2], out _));
        Assert.False(ids.TryGet("l", "n", sent[3], out _));
        Assert.True(ids.TryGet("l", "n", sent[4], out _));
    }

    [Fact]
    public void Checkpoint_carries_the_remembered_ids_through_its_encoding()
    {
        Guid id = Guid.NewGuid();
        var checkpoint = new Checkpoint(9, [], ["a"], [], [new RememberedId("home", "a", id, 7, 123)]);
        var decoded = Assert.IsType<Checkpoint>(LinkRecordCodec.Decode(LinkRecordCodec.Encode(checkpoint)));
        var ledger = new LinkLedger("home");
        ledger.Apply(decoded, 1);

        Assert.True(ledger.TryGetAccepted("home", "a", id, out ulong sequence));
        Assert.Equal(7UL, sequence);
        Assert.True(ledger.ConfirmedRecently("a", id));

        // A checkpoint written before the window existed reads as one without remembered ids.
        byte[] old = LinkRecordCodec.Encode(checkpoint with { RememberedIds = [] });
        var oldForm = Assert.IsType<Checkpoint>(LinkRecordCodec.Decode(old.AsSpan(0, old.Length - 4)));
        Assert.Empty(oldForm.Remembered);
    }

    private static async Task AssertDuplicateAsync(TestNode sender, TestNode worker, Guid id, ulong sequence)
    {
        SendOutcome again = await sender.SendAsync("jobs", id: id);
        Assert.True(again.Accepted);
        Assert.True(again.Duplicate, $"{id} was accepted again as sequence {again.Sequence}");
        Assert.Equal(sequence, again.Sequence);

        // Nothing new is delivered for it, and no second status comes: the next of each is the next message's.
        SendOutcome next = await sender.SendAsync("jobs");
        Delivery delivery = await worker.ReceiveAsync();
        Assert.Equal(next.Sequence, delivery.Sequence);
        Assert.Equal(ErrorCode.None, await worker.AckAsync(delivery));
        StatusReport status = await sender.NextStatusAsync();
        Assert.NotEqual(id, status.MessageId);
        await sender.ConfirmAsync(status.MessageId);
    }

    private static async Task<StatusReport> SendAndSettleAsync(TestNode sender, TestNode worker)
    {
        await sender.SendAsync("jobs");
        Assert.Equal(ErrorCode.None, await worker.AckAsync(await worker.ReceiveAsync()));
        return await sender.NextStatusAsync();
    }
}
