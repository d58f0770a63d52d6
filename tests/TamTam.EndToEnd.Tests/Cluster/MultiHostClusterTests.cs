using Microsoft.Extensions.DependencyInjection;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Storage.Tests.Infrastructure;
using TamTam.Testing.Redis;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>
/// Two silos in one process form a cluster through each multi-host membership store (a real redis-server, Azurite's
/// table endpoint), on shared blob storage, and a message crosses from a sender on one to a receiver on the other.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiHostClusterTests(AzuriteFixture azurite, RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const string Port = "jobs";

    [Fact]
    public Task Two_silos_on_redis_clustering_form_one_cluster_and_carry_a_message_between_them() =>
        FormClusterAndCarryAsync(ClusterArguments.Redis(redis, RedisServerFixture.NewClusterId()));

    [Fact]
    public Task Two_silos_on_azure_table_clustering_form_one_cluster_and_carry_a_message_between_them() =>
        FormClusterAndCarryAsync(ClusterArguments.AzureTable(azurite, RedisServerFixture.NewClusterId(), AzuriteFixture.NewTableName()));

    private async Task FormClusterAndCarryAsync(string[] cluster)
    {
        using var data = new DataDirectory();
        string[] arguments = [.. cluster, .. ClusterArguments.Blob(azurite.NewOptions())];
        await using InProcessSilo first = await InProcessSilo.StartAsync(data.Path, arguments);
        await using InProcessSilo second = await InProcessSilo.StartAsync(data.Path, arguments);

        await WaitForActiveSilosAsync(first, 2);
        await WaitForActiveSilosAsync(second, 2);

        string link = Links.Unique("cluster");
        await using TamTamClient listener = await Nodes.ListenAsync(second.Uri, link, "listener", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
        SendReceipt receipt = await sender.SendAsync(Port, Nodes.Payload(64)).Within();

        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(listener);
        await application.WaitForAsync([receipt.MessageId], TestTimeout.Batch);
        MessageStatus status = await sender.WaitForStatusAsync(receipt.MessageId).Within();
        Assert.Equal(FinalState.Delivered, status.State);
        await listener.DisposeAsync();
        await receiving.Within();
    }

    private static async Task WaitForActiveSilosAsync(InProcessSilo silo, int count)
    {
        IClusterMembershipService membership = silo.Host.Services.GetRequiredService<IClusterMembershipService>();
        using var timeout = new CancellationTokenSource(TestTimeout.Batch);
        await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates.WithCancellation(timeout.Token))
        {
            if (snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) >= count)
            {
                return;
            }
        }
    }
}
