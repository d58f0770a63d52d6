using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Sessions;

/// <summary>
/// A two-silo cluster in this process (localhost clustering, the second silo joining the first, one shared data
/// directory): a session left on one silo's gateway resumes on the other's. The session's directory entry and its
/// link are grains, reached from either gateway.
/// </summary>
public sealed class TwoSiloResumeTests : TwoSiloTest
{
    private const string Port = "jobs";

    [Fact]
    public async Task A_session_cut_on_one_silo_resumes_on_the_other_with_its_unacknowledged_delivery()
    {
        string link = Links.Unique("two-silos");
        await using var proxy = new CuttableProxy(First.Uri);
        await using TamTamClient receiver = await ResumingClients.JoinAsync(proxy.Uri, link, "receiver");
        await receiver.BindAsync(Port).Within();
        await using TamTamClient sender = await Nodes.JoinAsync(Second.Uri, link, "sender");
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(receiver);
        Guid session = receiver.SessionId;

        await using IAsyncEnumerator<IncomingMessage> incoming = receiver.ReceiveAsync().GetAsyncEnumerator();
        SendReceipt first = await sender.SendAsync(Port, "before the cut"u8.ToArray()).Within();
        Assert.True(await incoming.MoveNextAsync().AsTask().Within());
        Assert.Equal(first.MessageId, incoming.Current.MessageId);
        IncomingMessage held = incoming.Current;

        // Not acknowledged when the connection goes; the client comes back through the other silo.
        proxy.RetargetTo(Second.Uri);
        proxy.CutAll();
        TamTamReconnectedEventArgs reconnected = await back.Within(TestTimeout.Batch);
        Assert.True(reconnected.Resumed);
        Assert.Equal(session, receiver.SessionId);

        SendReceipt second = await sender.SendAsync(Port, "after the cut"u8.ToArray()).Within();
        Assert.True(await incoming.MoveNextAsync().AsTask().Within());
        Assert.Equal(second.MessageId, incoming.Current.MessageId);
        await held.AckAsync();
        await incoming.Current.AckAsync();

        Assert.Equal(FinalState.Delivered, (await first.Completion.Within()).State);
        Assert.Equal(FinalState.Delivered, (await second.Completion.Within()).State);
    }
}
