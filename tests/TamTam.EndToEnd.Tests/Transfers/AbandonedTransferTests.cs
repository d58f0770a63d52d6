using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>An upload nobody finishes ends in a known state and leaves no staged data behind.</summary>
public sealed class AbandonedTransferTests
{
    private const string Port = "files/in";

    [Fact]
    public async Task Upload_abandoned_past_its_staging_deadline_is_removed_and_its_SEND_is_then_refused_with_305()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path,
            "--TamTam:Transfers:StagingTimeout=00:00:02", "--TamTam:Transfers:TimerPeriod=00:00:00.250",
            "--TamTam:Gateway:SessionTimeout=00:00:01");
        string link = Links.Unique("abandoned");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        const long Size = 6L * 1024 * 1024;
        Guid id = Guid.CreateVersion7();

        TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        // One part in flight at a time: the cut comes long before the last part, however fast the store is.
        using (var cut = new CancellationTokenSource())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.SendStreamAsync(Port, new SeededPayload(21, Size),
                new SendOptions { MessageId = id }, new TransferOptions { Window = 1, Progress = PartedTransfers.CancelAfter(2, cut) }, cut.Token))
                .Within(TestTimeout.Batch);
        }

        await sender.DisposeAsync();
        string folder = PartedTransfers.PayloadFolder(data.Path, id);
        Assert.True(Directory.Exists(folder), "the parts acknowledged before the disconnection are staged");
        await PartedTransfers.EventuallyAsync(() => !Directory.Exists(folder), "the abandoned upload's parts are removed");
        TransferSnapshot transfer = await silo.Grains.GetGrain<ITransferGrain>(id).GetSnapshotAsync().Within();
        Assert.Equal(TransferPhase.Abandoned, transfer.Phase);

        await using TamTamClient again = await PartedTransfers.JoinAgainAsync(silo.Uri, link, "sender");
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() =>
            again.SendStreamAsync(Port, new SeededPayload(21, Size), new SendOptions { MessageId = id })).Within(TestTimeout.Batch);
        Assert.Equal(ErrorCode.Expired, refused.Code);
        Assert.False(Directory.Exists(folder));
    }
}
