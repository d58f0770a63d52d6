using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>Resuming parted transfers after a disconnection (docs/protocol.md section 7, step 5).</summary>
// The first client ends without LEAVE, as a process that stopped: the second one takes the node's name once
// the first session's reservation is over (2 s here).
[Collection(BriefSessionSiloCollection.Name)]
public sealed class TransferResumeTests(BriefSessionSiloFixture silo)
{
    private const string Port = "files/in";
    private const long Size = (8 * 1024 * 1024) + 777;

    [Fact]
    public async Task Sender_that_disconnects_midway_resumes_with_the_same_SEND_and_sends_only_the_missing_parts()
    {
        string link = Links.Unique("resume-send");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
        Guid id = Guid.CreateVersion7();
        byte[] sha256 = SeededPayload.Sha256Of(11, Size);

        // One part in flight: the cut leaves parts unsent (with a wider window, the parts already on their way can
        // complete the upload, and the second SEND is then answered as a duplicate).
        TamTamClient first = await Nodes.JoinAsync(silo.Uri, link, "sender");
        using (var cut = new CancellationTokenSource())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.SendStreamAsync(Port, new SeededPayload(11, Size),
                new SendOptions { MessageId = id }, new TransferOptions { Window = 1, Progress = PartedTransfers.CancelAfter(3, cut) }, cut.Token))
                .Within(TestTimeout.Batch);
        }

        await first.DisposeAsync();
        await using TamTamClient again = await PartedTransfers.JoinAgainAsync(silo.Uri, link, "sender");
        var source = new CountingStream(new SeededPayload(11, Size));
        SendReceipt receipt = await again.SendStreamAsync(Port, source, new SendOptions { MessageId = id },
            new TransferOptions { Sha256 = sha256 }).Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);
        await receiving.Within();

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.False(receipt.Duplicate);
        Assert.True(source.BytesRead <= Size - (3L * again.PartSize), $"the resumed upload read {source.BytesRead} of {Size} bytes");
        Assert.Equal(sha256, sink.Sha256());
    }

    [Fact]
    public async Task Receiver_that_disconnects_midway_gets_the_DELIVER_again_and_only_the_parts_it_has_not_acknowledged()
    {
        string link = Links.Unique("resume-receive");
        TamTamClient first = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        string path = Path.Combine(silo.DataPath, "received-" + Guid.NewGuid().ToString("N"));
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);

        SendReceipt receipt = await sender.SendStreamAsync(Port, new SeededPayload(12, Size)).Within(TestTimeout.Batch);
        await using (IAsyncEnumerator<IncomingMessage> inbox = first.ReceiveAsync().GetAsyncEnumerator())
        {
            Assert.True(await inbox.MoveNextAsync().AsTask().Within());
            using var cut = new CancellationTokenSource();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                inbox.Current.ReceivePayloadAsync(file, PartedTransfers.CancelAfter(3, cut), cut.Token)).Within(TestTimeout.Batch);
        }

        await first.DisposeAsync();
        await using TamTamClient again = await PartedTransfers.JoinAgainAsync(silo.Uri, link, "receiver");
        var destination = new CountingStream(file);
        IncomingMessage redelivered = await PartedTransfers.ReceiveOneAsync(again, destination).Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.True(redelivered.IsRedelivery);
        Assert.True(destination.BytesWritten <= Size - (3L * again.PartSize), $"the resumed delivery wrote {destination.BytesWritten} of {Size} bytes");
        file.Position = 0;
        Assert.Equal(SeededPayload.Sha256Of(12, Size), await System.Security.Cryptography.SHA256.HashDataAsync(file));
    }
}
