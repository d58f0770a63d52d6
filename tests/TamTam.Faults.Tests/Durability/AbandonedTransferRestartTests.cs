using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// A transfer's deadlines are watched by a grain timer, which runs only while its grain is active. The registry of
/// live transfers wakes them when a silo starts: an upload abandoned before a crash is removed after the restart at
/// its deadline, though nothing else ever reaches its grain again.
/// </summary>
public sealed class AbandonedTransferRestartTests
{
    private const string Port = "files/in";
    private const long Size = 12L * 1024 * 1024;

    [Fact]
    public async Task An_upload_abandoned_before_a_SIGKILL_is_removed_at_its_deadline_after_the_restart_untouched()
    {
        using var data = new DataDirectory();
        string[] transfers = ["--TamTam:Transfers:StagingTimeout=00:00:03", "--TamTam:Transfers:TimerPeriod=00:00:00.250"];
        string link = Links.Unique("abandoned-restart");
        Guid id = Guid.CreateVersion7();

        await using (SiloProcess first = await SiloProcess.StartAsync(data.Path, transfers))
        {
            await (await Nodes.ListenAsync(first.Uri, link, "receiver", Port)).DisposeAsync();
            await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
            var staged = new TaskCompletionSource();

            // One part in flight at a time, so that the kill comes long before the last part.
            Task<SendReceipt> uploading = sender.SendStreamAsync(Port, new SeededPayload(41, Size), new SendOptions { MessageId = id },
                new TransferOptions
                {
                    Window = 1,
                    Progress = new PartedTransfers.InlineProgress(p =>
                    {
                        if (p.Parts >= 2)
                        {
                            staged.TrySetResult();
                        }
                    }),
                });
            await staged.Task.Within(TestTimeout.Batch);
            await first.KillAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => uploading).Within();
        }

        string folder = PartedTransfers.PayloadFolder(data.Path, id);
        Assert.NotEmpty(await PartedTransfers.StagedPartsAsync(data.Path, id));

        // Nobody sends, receives or asks about the transfer: the new silo finds it by itself.
        await using SiloProcess second = await SiloProcess.StartAsync(data.Path, transfers);
        await PartedTransfers.EventuallyAsync(() => !Directory.Exists(folder), "the upload abandoned before the restart is removed",
            TestTimeout.Batch);
    }
}
