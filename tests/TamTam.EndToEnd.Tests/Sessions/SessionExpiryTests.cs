using TamTam.Client;
using TamTam.Client.Events;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Sessions;

/// <summary>
/// A silo whose sessions wait two seconds for a resume: after that the node's name is free again, the old token
/// is refused (204), and the client starts a new session that joins under its name and finds its bindings and
/// inbox where the link kept them.
/// </summary>
public sealed class SessionExpiryTests : IAsyncLifetime
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);
    private const string Port = "jobs";
    private readonly DataDirectory _data = new();
    private InProcessSilo? _silo;

    private Uri Uri => _silo!.Uri;

    public async Task InitializeAsync() =>
        _silo = await InProcessSilo.StartAsync(_data.Path, "--TamTam:Gateway:SessionTimeout=00:00:02");

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task After_the_timeout_the_name_is_free_and_the_client_joins_again_in_a_new_session()
    {
        string link = Links.Unique("expiry");
        await using var proxy = new CuttableProxy(Uri);
        await using TamTamClient owner = await ResumingClients.JoinAsync(proxy.Uri, link, "worker");
        await owner.BindAsync(Port).Within();
        Guid firstSession = owner.SessionId;
        Task<TamTamReconnectedEventArgs> back = ResumingClients.NextReconnect(owner);
        proxy.Refusing = true;
        proxy.CutAll();

        // Refused while the session may resume, free once its timeout has run out.
        await using TamTamClient other = await Nodes.ConnectAsync(Uri);
        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => other.JoinAsync(link, "worker").AsTask().Within());
        Assert.Equal(ErrorCode.NameTaken, refused.Code);
        DateTime giveUp = DateTime.UtcNow + SessionTimeout + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                await other.JoinAsync(link, "worker").Within();
                break;
            }
            catch (TamTamException e) when (e.Code == ErrorCode.NameTaken && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(200);
            }
        }

        // A message for the node waits in its inbox meanwhile (pushed to the other session, never acknowledged, back
        // in the inbox once that session goes too, whose own reservation the client then waits out).
        await using TamTamClient sender = await Nodes.JoinAsync(Uri, link, "sender");
        SendReceipt waiting = await sender.SendAsync(Port, "waiting"u8.ToArray()).Within();
        await other.DisposeAsync();

        proxy.Refusing = false;
        TamTamReconnectedEventArgs reconnected = await back.Within(TestTimeout.Batch);
        Assert.False(reconnected.Resumed);
        Assert.NotEqual(firstSession, owner.SessionId);

        await using IAsyncEnumerator<IncomingMessage> incoming = owner.ReceiveAsync().GetAsyncEnumerator();
        Assert.True(await incoming.MoveNextAsync().AsTask().Within(TestTimeout.Batch));
        Assert.Equal(waiting.MessageId, incoming.Current.MessageId);
        await incoming.Current.AckAsync();
        Assert.Equal(FinalState.Delivered, (await waiting.Completion.Within()).State);
    }
}
