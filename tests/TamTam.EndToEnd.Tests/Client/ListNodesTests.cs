using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Client;

/// <summary><see cref="TamTamClient.ListNodesAsync"/> (NODES) against the real silo.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class ListNodesTests(SharedSiloFixture silo)
{
    [Fact]
    public async Task List_nodes_reports_the_members_of_a_named_link_without_joining()
    {
        string link = Links.Unique("nodes");
        await using TamTamClient worker = await Nodes.JoinAsync(silo.Uri, link, "worker-1");
        await using TamTamClient other = await Nodes.JoinAsync(silo.Uri, link, "worker-2");
        await using TamTamClient asker = await Nodes.ConnectAsync(silo.Uri);

        NodeList list = await asker.ListNodesAsync(link).Within();

        Assert.False(list.Truncated);
        Assert.Equal(["worker-1", "worker-2"], list.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        Assert.All(list.Nodes, node => Assert.True(node.Online));
        Assert.All(list.Nodes, node => Assert.Equal(0u, node.Pending));
    }

    [Fact]
    public async Task List_nodes_without_a_link_asks_for_the_own_link_and_an_unknown_link_is_empty()
    {
        string link = Links.Unique("nodes-own");
        await using TamTamClient worker = await Nodes.JoinAsync(silo.Uri, link, "me");

        NodeList own = await worker.ListNodesAsync().Within();
        NodeList unknown = await worker.ListNodesAsync(Links.Unique("nobody")).Within();

        Assert.Equal("me", Assert.Single(own.Nodes).Name);
        Assert.Empty(unknown.Nodes);
    }
}
