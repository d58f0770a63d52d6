using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>Large payloads as parts (docs/protocol.md section 7) through a real silo with the local payload store, over TCP.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class LargeTransferTests(SharedSiloFixture silo)
{
    private const string Port = "files/in";

    // A little over five parts of the default part size, so the last part is short.
    private const long Size = (5 * 1024 * 1024) + 12_345;

    [Fact]
    public async Task Unicast_large_message_arrives_intact_as_parts_and_its_payload_is_removed_once_delivered()
    {
        string link = Links.Unique("parts");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        Assert.True(sender.PartSize > 0 && sender.PartSize < Size);

        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
        var progress = new List<TransferProgress>();
        Guid id = Guid.CreateVersion7();
        SendReceipt receipt = await sender.SendStreamAsync(Port, new SeededPayload(1, Size), new SendOptions { MessageId = id },
            new TransferOptions { Progress = new SynchronousProgress(progress) }).Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);
        IncomingMessage message = await receiving.Within();

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.True(message.IsParted);
        Assert.Equal(Size, message.PayloadLength);
        Assert.Equal(Size, sink.Written);
        Assert.Equal(SeededPayload.Sha256Of(1, Size), sink.Sha256());
        int parts = (int)((Size + sender.PartSize - 1) / sender.PartSize);
        Assert.Equal(parts, progress.Count);
        Assert.Equal(Size, progress[^1].Bytes);
        await PartedTransfers.EventuallyAsync(() => !Directory.Exists(PartedTransfers.PayloadFolder(silo.DataPath, id)), "the payload is removed");
        TransferSnapshot transfer = await silo.Grains.GetGrain<ITransferGrain>(id).GetSnapshotAsync().Within();
        Assert.Equal((TransferPhase.Finished, FinalState.Delivered, parts), (transfer.Phase, transfer.FinalState, transfer.PartsStaged));

        // Receivers' confirmations are progress, reported in coalesced batches: the message can end before the last
        // batch reaches the grain, so the count is at most the part count, not exactly it.
        Assert.InRange(transfer.PartsConfirmed.GetValueOrDefault("receiver"), 0, parts);
    }

    [Fact]
    public async Task Group_large_message_reaches_every_bound_node_and_ends_DELIVERED_when_all_confirmed()
    {
        string link = Links.Unique("parts-group");
        await using TamTamClient first = await Nodes.JoinAsync(silo.Uri, link, "first");
        await using TamTamClient second = await Nodes.JoinAsync(silo.Uri, link, "second");
        await first.BindAsync(Port, PortMode.Group).Within();
        await second.BindAsync(Port, PortMode.Group).Within();
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        var sinks = new[] { new DigestSink(), new DigestSink() };
        Task<IncomingMessage>[] receiving = [PartedTransfers.ReceiveOneAsync(first, sinks[0]), PartedTransfers.ReceiveOneAsync(second, sinks[1])];
        MessageStatus status = await sender.SendStreamAndWaitAsync(Port, new SeededPayload(2, Size)).Within(TestTimeout.Batch);
        await Task.WhenAll(receiving).Within();

        Assert.Equal((FinalState.Delivered, 2u, 2u), (status.State, status.Recipients, status.Confirmed));
        byte[] expected = SeededPayload.Sha256Of(2, Size);
        Assert.All(sinks, sink => Assert.Equal(expected, sink.Sha256()));
    }

    [Fact]
    public async Task Broadcast_large_message_reaches_every_node_of_the_link()
    {
        string link = Links.Unique("parts-broadcast");
        await using TamTamClient first = await Nodes.JoinAsync(silo.Uri, link, "first");
        await using TamTamClient second = await Nodes.JoinAsync(silo.Uri, link, "second");
        await first.BindAsync(Port, PortMode.Broadcast).Within();
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        // Broadcast reaches every member but the sender (docs/architecture.md).
        var sinks = new[] { new DigestSink(), new DigestSink() };
        Task<IncomingMessage>[] receiving = [PartedTransfers.ReceiveOneAsync(first, sinks[0]), PartedTransfers.ReceiveOneAsync(second, sinks[1])];
        MessageStatus status = await sender.SendStreamAndWaitAsync(Port, new SeededPayload(3, Size)).Within(TestTimeout.Batch);
        await Task.WhenAll(receiving).Within();

        Assert.Equal((FinalState.Delivered, 2u, 2u), (status.State, status.Recipients, status.Confirmed));
        byte[] expected = SeededPayload.Sha256Of(3, Size);
        Assert.All(sinks, sink => Assert.Equal(expected, sink.Sha256()));
    }

    [Fact]
    public async Task A_payload_that_does_not_match_its_SHA256_is_refused_with_401_and_its_parts_are_removed()
    {
        string link = Links.Unique("parts-digest");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        Guid id = Guid.CreateVersion7();
        byte[] wrong = SeededPayload.Sha256Of(99, Size);
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => sender.SendStreamAsync(Port, new SeededPayload(4, Size),
            new SendOptions { MessageId = id }, new TransferOptions { Sha256 = wrong })).Within(TestTimeout.Batch);

        Assert.Equal(ErrorCode.BadDigest, refused.Code);
        Assert.False(Directory.Exists(PartedTransfers.PayloadFolder(silo.DataPath, id)));

        // Nothing was accepted, and the same id may be sent again, right this time.
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, new DigestSink());
        MessageStatus status = await sender.SendStreamAndWaitAsync(Port, new SeededPayload(4, Size), new SendOptions { MessageId = id })
            .Within(TestTimeout.Batch);
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(id, (await receiving.Within()).MessageId);
    }

    /// <summary>Records progress on the reporting thread (<see cref="Progress{T}"/> would post it elsewhere, later).</summary>
    private sealed class SynchronousProgress(List<TransferProgress> reports) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
