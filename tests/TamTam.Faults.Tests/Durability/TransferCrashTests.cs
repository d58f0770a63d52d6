using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// The executable killed with SIGKILL in the middle of a parted upload: every part it acknowledged was durable, so
/// after the restart the sender resumes from them and the message completes.
/// </summary>
public sealed class TransferCrashTests
{
    private const string Port = "files/in";
    private const long Size = (12L * 1024 * 1024) + 4321;

    [Fact]
    public async Task Upload_cut_by_a_SIGKILL_resumes_after_the_restart_and_is_delivered_intact()
    {
        using var data = new DataDirectory();
        string link = Links.Unique("crash-parts");
        Guid id = Guid.CreateVersion7();
        byte[] sha256 = SeededPayload.Sha256Of(31, Size);
        int partSize;

        await using (SiloProcess first = await SiloProcess.StartAsync(data.Path))
        {
            await (await Nodes.ListenAsync(first.Uri, link, "receiver", Port)).DisposeAsync();
            await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
            partSize = sender.PartSize;
            var killed = new TaskCompletionSource();
            Task<SendReceipt> uploading = sender.SendStreamAsync(Port, new SeededPayload(31, Size), new SendOptions { MessageId = id },
                new TransferOptions { Sha256 = sha256, Progress = new KillAfter(4, killed) });
            await killed.Task.Within(TestTimeout.Batch);
            await first.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => uploading).Within();
        }

        int staged = (await PartedTransfers.StagedPartsAsync(data.Path, id)).Count;
        Assert.InRange(staged, 4, (int)((Size + partSize - 1) / partSize) - 1);

        await using SiloProcess second = await SiloProcess.StartAsync(data.Path);
        await using TamTamClient receiver = await Nodes.JoinAsync(second.Uri, link, "receiver");
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
        await using TamTamClient senderAgain = await Nodes.JoinAsync(second.Uri, link, "sender");
        var source = new CountingStream(new SeededPayload(31, Size));
        SendReceipt receipt = await senderAgain.SendStreamAsync(Port, source, new SendOptions { MessageId = id },
            new TransferOptions { Sha256 = sha256 }).Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);
        await receiving.Within();

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.True(source.BytesRead <= Size - (4L * partSize), $"the resumed upload read {source.BytesRead} of {Size} bytes");
        Assert.Equal(sha256, sink.Sha256());
        await PartedTransfers.EventuallyAsync(() => !Directory.Exists(PartedTransfers.PayloadFolder(data.Path, id)), "the payload is removed");
    }

    /// <summary>Signals once <c>parts</c> parts are acknowledged: the test then kills the silo under the running upload.</summary>
    private sealed class KillAfter(int parts, TaskCompletionSource reached) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (value.Parts >= parts)
            {
                reached.TrySetResult();
            }
        }
    }
}
