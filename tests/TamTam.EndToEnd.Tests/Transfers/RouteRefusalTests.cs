using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Interfaces.Transfers;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>
/// A parted SEND that its link would refuse (no route, full inbox) is refused when it begins, with the code it
/// would get at the end, before any part is read or staged; the id stays free to be sent again. A route that goes
/// while the parts are still coming (the port unbound, the receiving node gone with LEAVE) refuses the upload when
/// it completes (300): its staged parts are removed, the sender is told on its SEND, the id is free again. (A node
/// that only disconnects keeps its bindings: a message to it waits in its inbox.)
/// </summary>
public sealed class RouteRefusalTests
{
    private const string Port = "files/in";
    private const long Size = 64L * 1024 * 1024;
    private const long MidUploadSize = 16L * 1024 * 1024;

    [Fact]
    public async Task A_parted_SEND_to_a_port_nobody_binds_is_refused_with_300_before_any_part_is_sent()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("early-no-route");
        await using TamTamClient other = await Nodes.ListenAsync(silo.Uri, link, "other", "elsewhere");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");

        await AssertRefusedAtOnceAsync(silo, data, sender, ErrorCode.NoRoute);
    }

    [Fact]
    public async Task A_parted_SEND_to_a_node_whose_inbox_is_full_is_refused_with_302_before_any_part_is_sent()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:Links:MaxInboxMessages=1");
        string link = Links.Unique("early-quota");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = silo.Uri,
            QuotaWait = TimeSpan.Zero,
            Reconnect = ReconnectOptions.Disabled,
        }).Within();
        await sender.JoinAsync(link, "sender").Within();

        // The receiver does not read: its inbox holds this one message, its quota.
        await sender.SendAsync(Port, Nodes.Payload(64)).Within();

        await AssertRefusedAtOnceAsync(silo, data, sender, ErrorCode.QuotaExceeded);
    }

    // Parts sent (and made durable) before the route goes; the rest follow it.
    private const int PartsBefore = 4;

    [Fact]
    public Task A_parted_SEND_whose_port_is_unbound_mid_upload_is_refused_with_300_and_its_parts_removed() =>
        RouteVanishesMidUploadAsync("unbound", receiver => receiver.UnbindAsync(Port));

    [Fact]
    public Task A_parted_SEND_whose_receiving_node_leaves_mid_upload_is_refused_with_300_and_its_parts_removed() =>
        RouteVanishesMidUploadAsync("left", receiver => receiver.LeaveAsync());

    private static async Task RouteVanishesMidUploadAsync(string name, Func<TamTamClient, ValueTask> vanish)
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("route-gone-" + name);
        TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        try
        {
            Guid id = Guid.CreateVersion7();
            var payload = new PausingStream(new SeededPayload(43, MidUploadSize), pauseAt: (long)PartsBefore * sender.PartSize);
            var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = new PartedTransfers.InlineProgress(p =>
            {
                if (p.Parts >= PartsBefore)
                {
                    durable.TrySetResult();
                }
            });

            Task<SendReceipt> sending = sender.SendStreamAsync(Port, payload, new SendOptions { MessageId = id },
                new TransferOptions { Sha256 = SeededPayload.Sha256Of(43, MidUploadSize), Progress = progress });

            // The route was there when the upload began, and the first parts are staged.
            await durable.Task.Within(TestTimeout.Batch);
            await payload.Reached.Within();
            Assert.Equal(Enumerable.Range(0, PartsBefore), await PartedTransfers.StagedPartsAsync(data.Path, id));

            await vanish(receiver).AsTask().Within();
            payload.Resume();

            TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => sending).Within(TestTimeout.Batch);
            Assert.Equal(ErrorCode.NoRoute, refused.Code);
            Assert.Equal(MidUploadSize, payload.Position);
            Assert.False(Directory.Exists(PartedTransfers.PayloadFolder(data.Path, id)), "the refused upload's parts are removed");
            TransferSnapshot transfer = await silo.Grains.GetGrain<ITransferGrain>(id).GetSnapshotAsync().Within();
            Assert.Equal(TransferPhase.None, transfer.Phase);

            // Nothing is left of the message: its id may be sent again, and is refused again while the route is gone.
            TamTamException again = await Assert.ThrowsAsync<TamTamException>(() => sender.SendStreamAsync(Port,
                new SeededPayload(43, MidUploadSize), new SendOptions { MessageId = id },
                new TransferOptions { Sha256 = SeededPayload.Sha256Of(43, MidUploadSize) })).Within(TestTimeout.Batch);
            Assert.Equal(ErrorCode.NoRoute, again.Code);
        }
        finally
        {
            await receiver.DisposeAsync();
        }
    }

    private static async Task AssertRefusedAtOnceAsync(InProcessSilo silo, DataDirectory data, TamTamClient sender, ErrorCode expected)
    {
        Guid id = Guid.CreateVersion7();
        var payload = new CountingStream(new SeededPayload(31, Size));

        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => sender.SendStreamAsync(Port, payload,
            new SendOptions { MessageId = id }, new TransferOptions { Sha256 = SeededPayload.Sha256Of(31, Size) })).Within(TestTimeout.Batch);

        Assert.Equal(expected, refused.Code);
        Assert.True(payload.BytesRead <= sender.PartSize * TransferOptions.DefaultWindow,
            $"{payload.BytesRead} bytes of the payload were read; at most one window's worth may be, before the refusal arrives");
        Assert.False(Directory.Exists(PartedTransfers.PayloadFolder(data.Path, id)), "no part of a refused transfer is staged");
        TransferSnapshot transfer = await silo.Grains.GetGrain<ITransferGrain>(id).GetSnapshotAsync().Within();
        Assert.Equal(TransferPhase.None, transfer.Phase);
    }
}
