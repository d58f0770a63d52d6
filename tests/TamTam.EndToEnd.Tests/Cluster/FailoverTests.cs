using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// Clients given both silos of a two-silo cluster (in this process, localhost clustering, one data directory) move to
/// the other silo when theirs drains or their connection dies, and resume their sessions there: every message reaches
/// the application once, and every sender learns each message's final state.
/// </summary>
public sealed class FailoverTests : TwoSiloTest
{
    private const int Messages = 90;

    [Fact]
    public async Task Clients_of_a_draining_silo_resume_on_the_other_with_every_message_once()
    {
        // The second silo is stopped: the first holds the localhost cluster's membership.
        string link = Links.Unique("drain-failover");
        Uri[] endpoints = [Second.Uri, First.Uri];
        await using TamTamClient receiver = await FailoverClients.JoinAsync(endpoints, link, "receiver");
        await receiver.BindAsync(FailoverClients.Port).Within();
        await using TamTamClient sender = await FailoverClients.JoinAsync(endpoints, link, "sender");
        Guid receiverSession = receiver.SessionId;
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(receiver);

        (List<Guid> sent, MessageStatus[] statuses) = await FailoverClients.ExchangeAcrossAsync(sender, application, Messages, () => Second.StopAsync());

        Assert.Equal(First.Uri, receiver.Uri);
        Assert.Equal(First.Uri, sender.Uri);
        Assert.Equal(receiverSession, receiver.SessionId);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));
        Assert.Equal(Messages, sent.Distinct().Count());
        await receiver.DisposeAsync();
        await receiving.Within();
        Assert.Equal(sent.Order(), application.Processed.Select(m => m.MessageId).Order());
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);
    }

    [Fact]
    public async Task Clients_whose_connections_are_cut_resume_on_the_next_silo_with_every_message_once()
    {
        string link = Links.Unique("cut-failover");
        await using var proxy = new CuttableProxy(Second.Uri);
        Uri[] endpoints = [proxy.Uri, First.Uri];
        await using TamTamClient receiver = await FailoverClients.JoinAsync(endpoints, link, "receiver");
        await receiver.BindAsync(FailoverClients.Port).Within();
        await using TamTamClient sender = await FailoverClients.JoinAsync(endpoints, link, "sender");
        Guid receiverSession = receiver.SessionId;
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(receiver);

        (List<Guid> sent, MessageStatus[] statuses) = await FailoverClients.ExchangeAcrossAsync(sender, application, Messages, () =>
        {
            // The path to the second silo is gone for good, mid-stream: a reset, and no way back.
            proxy.Refusing = true;
            proxy.CutAll();
            return Task.CompletedTask;
        });

        Assert.Equal(First.Uri, receiver.Uri);
        Assert.Equal(First.Uri, sender.Uri);
        Assert.Equal(receiverSession, receiver.SessionId);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));
        await receiver.DisposeAsync();
        await receiving.Within();
        Assert.Equal(sent.Order(), application.Processed.Select(m => m.MessageId).Order());
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);
    }

    [Fact]
    public async Task A_node_name_taken_through_one_silo_is_refused_through_the_other()
    {
        string link = Links.Unique("unique-name");
        await using TamTamClient first = await Nodes.JoinAsync(First.Uri, link, "twin");
        await using TamTamClient second = await Nodes.ConnectAsync(Second.Uri);

        TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => second.JoinAsync(link, "twin").AsTask()).Within();

        Assert.Equal(ErrorCode.NameTaken, refused.Code);
    }

    [Fact]
    public async Task A_client_given_several_silos_connects_to_the_first_that_answers()
    {
        string link = Links.Unique("first-answering");
        await using var proxy = new CuttableProxy(Second.Uri) { Refusing = true };

        await using TamTamClient client = await FailoverClients.JoinAsync([proxy.Uri, First.Uri], link, "node");

        Assert.Equal(First.Uri, client.Uri);
    }
}
