using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Descriptors;

/// <summary>
/// Messages as descriptors (docs/protocol.md 5.19): MESSAGE answers a message's state, recipients and times from its link's
/// log and final-state ledger, across restarts and compaction; CANCEL ends a message not yet final in exactly one state.
/// </summary>
public sealed class MessageDescriptorTests
{
    private const string Port = "jobs";

    [Fact]
    public async Task Descriptors_answer_pending_and_final_messages_before_and_after_a_restart_and_a_compaction()
    {
        using var data = new DataDirectory();
        string link = Links.Unique("descriptors");

        // A log this short compacts on the next tick: the final states must survive it, in the ledger's archive.
        string[] compactEarly = ["--TamTam:Links:CompactionRecords=8"];
        Guid delivered;
        Guid pending;
        await using (InProcessSilo first = await InProcessSilo.StartAsync(data.Path, compactEarly))
        {
            // "held" waits for a listener that is gone; "jobs" is received, and acknowledged when the test says so.
            await (await Nodes.ListenAsync(first.Uri, link, "away", "held")).DisposeAsync();
            await using TamTamClient listener = await Nodes.ListenAsync(first.Uri, link, "listener", Port);
            await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
            delivered = (await sender.SendAsync(Port, Nodes.Payload(64)).Within()).MessageId;

            MessageDescriptor waiting = await sender.GetStatusAsync(delivered).Within();
            Assert.Null(waiting.State);
            Assert.Equal(("sender", link, Port), (waiting.SourceNode, waiting.Link, waiting.Port));
            MessageRecipient inbox = Assert.Single(waiting.Recipients);
            Assert.Equal(("listener", DeliveryOutcome.Pending), (inbox.Node, inbox.Outcome));

            await AckOneAsync(listener);
            Assert.Equal(FinalState.Delivered, (await sender.WaitForStatusAsync(delivered).Within()).State);

            MessageDescriptor done = await sender.GetStatusAsync(delivered).Within();
            Assert.Equal(FinalState.Delivered, done.State);
            Assert.NotNull(done.FinalAt);
            MessageRecipient acked = Assert.Single(done.Recipients);
            Assert.Equal(DeliveryOutcome.Acknowledged, acked.Outcome);
            Assert.True(acked.Attempts >= 1);

            pending = (await sender.SendAsync("held", Nodes.Payload(64)).Within()).MessageId;
            for (int i = 0; i < 10; i++)
            {
                // Records enough for a compaction, which archives the delivered message's entry.
                await sender.SendAsync("held", Nodes.Payload(16)).Within();
            }

            await first.StopAsync();
        }

        await using InProcessSilo second = await InProcessSilo.StartAsync(data.Path, compactEarly);
        await using TamTamClient returned = await Nodes.JoinAsync(second.Uri, link, "sender");
        MessageDescriptor afterRestart = await returned.GetStatusAsync(delivered).Within();
        Assert.Equal(FinalState.Delivered, afterRestart.State);
        Assert.Equal(DeliveryOutcome.Acknowledged, Assert.Single(afterRestart.Recipients).Outcome);
        Assert.Null((await returned.GetStatusAsync(pending).Within()).State);

        // The replayed log is long enough to compact on the link's next tick: its delivered message moves to the archive.
        await WaitForArchiveAsync(data.Path);
        await using TamTamClient again = await Nodes.ConnectAsync(second.Uri);
        MessageDescriptor archived = await again.GetStatusAsync(delivered, link).Within();
        Assert.Equal(FinalState.Delivered, archived.State);
        Assert.Equal(afterRestart.FinalAt, archived.FinalAt);
    }

    private static async Task WaitForArchiveAsync(string dataPath)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeout.Default;
        while (!Directory.EnumerateFiles(dataPath, "*", SearchOption.AllDirectories).Any(f => f.Contains("audit", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "no compaction archived the link's final states");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Cancel_before_delivery_ends_the_message_canceled_and_its_sender_gets_that_status()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("cancel");
        await (await Nodes.ListenAsync(silo.Uri, link, "listener", Port)).DisposeAsync();
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        Guid id = (await sender.SendAsync(Port, Nodes.Payload(64)).Within()).MessageId;

        await sender.CancelAsync(id).Within();

        MessageStatus status = await sender.WaitForStatusAsync(id).Within();
        Assert.Equal((FinalState.Canceled, 0u, 1u), (status.State, status.Confirmed, status.Recipients));
        MessageDescriptor descriptor = await sender.GetStatusAsync(id).Within();
        Assert.Equal(FinalState.Canceled, descriptor.State);
        Assert.Equal(DeliveryOutcome.Canceled, Assert.Single(descriptor.Recipients).Outcome);

        // A second cancel finds it final.
        TamTamException again = await Assert.ThrowsAsync<TamTamException>(() => sender.CancelAsync(id).AsTask().Within());
        Assert.Equal(ErrorCode.NotCancelable, again.Code);
    }

    [Fact]
    public async Task Cancel_after_delivery_and_confirmation_is_refused_with_308_and_changes_nothing()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("cancel-late");
        await using TamTamClient listener = await Nodes.ListenAsync(silo.Uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        Guid id = (await sender.SendAsync(Port, Nodes.Payload(64)).Within()).MessageId;
        await AckOneAsync(listener);
        Assert.Equal(FinalState.Delivered, (await sender.WaitForStatusAsync(id).Within()).State);

        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => sender.CancelAsync(id).AsTask().Within());

        Assert.Equal(ErrorCode.NotCancelable, refused.Code);
        Assert.Contains("DELIVERED", refused.Message, StringComparison.Ordinal);
        Assert.Equal(FinalState.Delivered, (await sender.GetStatusAsync(id).Within()).State);
    }

    [Fact]
    public async Task A_cancel_racing_the_delivery_ends_each_message_in_exactly_one_final_state()
    {
        const int Messages = 60;
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("cancel-race");
        await using TamTamClient listener = await Nodes.ListenAsync(silo.Uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        using var stop = new CancellationTokenSource();
        Task acking = AckEverythingAsync(listener, stop.Token);

        var ids = new List<Guid>();
        var cancels = new List<Task<ErrorCode>>();
        for (int i = 0; i < Messages; i++)
        {
            Guid id = (await sender.SendAsync(Port, Nodes.Payload(32)).Within()).MessageId;
            ids.Add(id);
            cancels.Add(CancelCodeAsync(sender, id));
        }

        ErrorCode[] outcomes = await Task.WhenAll(cancels).Within(TestTimeout.Batch);
        var states = new Dictionary<Guid, FinalState>();
        for (int i = 0; i < Messages; i++)
        {
            MessageStatus status = await sender.WaitForStatusAsync(ids[i]).Within();
            states[ids[i]] = status.State;

            // OK means the cancel came first in the link's order; 308 means the ACK did.
            FinalState expected = outcomes[i] == ErrorCode.None ? FinalState.Canceled : FinalState.Delivered;
            Assert.True(outcomes[i] is ErrorCode.None or ErrorCode.NotCancelable, $"cancel of message {i} answered {outcomes[i]}");
            Assert.Equal(expected, status.State);
            Assert.Equal(expected, (await sender.GetStatusAsync(ids[i]).Within()).State);
        }

        await stop.CancelAsync();
        await acking.Within();
        Assert.Equal(Messages, states.Count);
    }

    [Fact]
    public async Task Final_states_past_the_ledger_retention_are_forgotten_and_answered_unknown_message()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:Links:LedgerRetention=00:00:02");
        string link = Links.Unique("retention");
        await using TamTamClient listener = await Nodes.ListenAsync(silo.Uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        Guid id = (await sender.SendAsync(Port, Nodes.Payload(16)).Within()).MessageId;
        await AckOneAsync(listener);
        await sender.WaitForStatusAsync(id).Within();
        Assert.Equal(FinalState.Delivered, (await sender.GetStatusAsync(id).Within()).State);
        Assert.Single(await ToListAsync(sender.ReadAuditAsync(link)));

        // Polled against a bound: the entry goes once its final state is two seconds old.
        TamTamException? forgotten = null;
        var deadline = DateTime.UtcNow + TestTimeout.Default;
        while (forgotten is null && DateTime.UtcNow < deadline)
        {
            try
            {
                await sender.GetStatusAsync(id).Within();
                await Task.Delay(200);
            }
            catch (TamTamException e)
            {
                forgotten = e;
            }
        }

        Assert.Equal(ErrorCode.UnknownMessage, forgotten?.Code);
        Assert.Empty(await ToListAsync(sender.ReadAuditAsync(link)));
    }

    [Fact]
    public async Task The_audit_trail_lists_each_final_message_once_in_acceptance_order_without_payloads()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        string link = Links.Unique("audit");
        await using TamTamClient listener = await Nodes.ListenAsync(silo.Uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        using var stop = new CancellationTokenSource();
        Task acking = AckEverythingAsync(listener, stop.Token);
        var ids = new List<Guid>();
        for (int i = 0; i < 5; i++)
        {
            SendReceipt receipt = await sender.SendAsync(Port, Nodes.Payload(16)).Within();
            await sender.WaitForStatusAsync(receipt.MessageId).Within();
            ids.Add(receipt.MessageId);
        }

        await stop.CancelAsync();
        await acking.Within();

        List<AuditRecord> trail = await ToListAsync(sender.ReadAuditAsync(link));
        Assert.Equal(ids, trail.Select(r => r.MessageId));
        Assert.All(trail, r => Assert.Equal((FinalState.Delivered, "sender", Port, 1u), (r.State, r.SourceNode, r.Port, r.Confirmed)));
        using var export = new MemoryStream();
        Assert.Equal(5, await sender.ExportAuditAsync(link, export).Within());
        string[] lines = System.Text.Encoding.UTF8.GetString(export.ToArray()).TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Contains($"\"message_id\":\"{ids[0]}\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"state\":\"DELIVERED\"", lines[0], StringComparison.Ordinal);
    }

    private static async Task AckOneAsync(TamTamClient listener)
    {
        await foreach (IncomingMessage message in listener.ReceiveAsync().WithCancellation(new CancellationTokenSource(TestTimeout.Default).Token))
        {
            await message.AckAsync().Within();
            return;
        }
    }

    private static async Task AckEverythingAsync(TamTamClient listener, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (IncomingMessage message in listener.ReceiveAsync(cancellationToken))
            {
                // A delivery canceled meanwhile is answered 304 by the server: nothing for the receiver to do.
                await message.AckAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<ErrorCode> CancelCodeAsync(TamTamClient sender, Guid id)
    {
        try
        {
            await sender.CancelAsync(id).Within();
            return ErrorCode.None;
        }
        catch (TamTamException e)
        {
            return e.Code;
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
