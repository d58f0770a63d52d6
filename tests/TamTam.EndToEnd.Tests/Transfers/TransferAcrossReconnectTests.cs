using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Sessions;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>A parted upload under way when the connection is cut goes on by itself on the resumed session.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class TransferAcrossReconnectTests(SharedSiloFixture silo)
{
    private const string Port = "files/in";
    private const long Size = (40 * 1024 * 1024) + 4_321;

    [Fact]
    public async Task An_upload_cut_midway_continues_on_the_resumed_session_and_sends_only_the_missing_parts()
    {
        string link = Links.Unique("transfer-cut");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);

        await using var proxy = new CuttableProxy(silo.Uri);
        await using TamTamClient sender = await ResumingClients.JoinAsync(proxy.Uri, link, "sender");
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(sender);
        var source = new CountingStream(new SeededPayload(21, Size));
        int cut = 0;
        var progress = new PartedTransfers.InlineProgress(p =>
        {
            if (p.Parts >= 4 && Interlocked.Exchange(ref cut, 1) == 0)
            {
                proxy.CutAll();
            }
        });

        SendReceipt receipt = await sender.SendStreamAsync(Port, source, transfer: new TransferOptions { Progress = progress })
            .Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);
        await receiving.Within(TestTimeout.Batch);

        Assert.True((await back.Within()).Resumed);
        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(SeededPayload.Sha256Of(21, Size), sink.Sha256());

        // Read once for the SHA-256 and once to send; after the cut only the parts the server had not acknowledged
        // (at most the window in flight and the few before the cut) are read again, not the whole payload.
        long resent = source.BytesRead - (2 * Size);
        Assert.True(resent <= 16L * sender.PartSize, $"the upload read {source.BytesRead} bytes of a {Size}-byte payload: {resent} again");
    }

    [Fact]
    public async Task A_download_cut_midway_goes_on_with_the_same_message_after_the_session_resumes()
    {
        string link = Links.Unique("download-cut");
        await using var proxy = new CuttableProxy(silo.Uri);
        await using TamTamClient receiver = await ResumingClients.JoinAsync(proxy.Uri, link, "receiver");
        await receiver.BindAsync(Port).Within();
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(receiver);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        string path = Path.Combine(Path.GetTempPath(), "tamtam-download-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            SendReceipt receipt = await sender.SendStreamAsync(Port, new SeededPayload(22, Size)).Within(TestTimeout.Batch);
            await using IAsyncEnumerator<IncomingMessage> inbox = receiver.ReceiveAsync().GetAsyncEnumerator();
            Assert.True(await inbox.MoveNextAsync().AsTask().Within());
            IncomingMessage message = inbox.Current;

            int cut = 0;
            var cutting = new PartedTransfers.InlineProgress(p =>
            {
                if (p.Parts >= 4 && Interlocked.Exchange(ref cut, 1) == 0)
                {
                    proxy.CutAll();
                }
            });
            await Assert.ThrowsAsync<TamTamConnectionException>(() => message.ReceivePayloadAsync(file, cutting)).Within(TestTimeout.Batch);
            Assert.True((await back.Within()).Resumed);

            // The same message, the same file. (That the parts acknowledged before a cut are not sent again is pinned by
            // TransferResumeTests; here how many were acknowledged depends on when the cut lands.)
            await message.ReceivePayloadAsync(file).Within(TestTimeout.Batch);
            await message.AckAsync();
            MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);

            Assert.Equal(FinalState.Delivered, status.State);
            file.Position = 0;
            Assert.Equal(SeededPayload.Sha256Of(22, Size), await System.Security.Cryptography.SHA256.HashDataAsync(file));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
