using System.Diagnostics;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Load;

/// <summary>
/// One thousand clients on one silo at once, over real loopback TCP: each joins, binds a port of its own, sends
/// one message to a peer and receives, acknowledges and sees DELIVERED for its own. Bounded in time; runs alone.
/// </summary>
[Collection(ManyConnectionsCollection.Name)]
public sealed class ManyConnectionsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Connections = 1_000;
    private const int NodesPerLink = 100;
    private const int ConnectConcurrency = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private readonly DataDirectory _data = new();
    private InProcessSilo? _silo;

    public async Task InitializeAsync()
    {
        // Each connection is two descriptors in this process (client and server side), plus the silo's own.
        long limit = FileDescriptorLimit.EnsureAtLeast(2 * Connections + 1_024);
        output.WriteLine($"open-file limit: {limit}");
        _silo = await InProcessSilo.StartAsync(_data.Path);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task A_thousand_concurrent_connections_each_send_and_receive()
    {
        var clock = Stopwatch.StartNew();
        using var bound = new CancellationTokenSource(Bound);
        string run = Guid.NewGuid().ToString("N")[..8];
        var clients = new TamTamClient[Connections];
        try
        {
            using var gate = new SemaphoreSlim(ConnectConcurrency);
            await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
            {
                await gate.WaitAsync(bound.Token);
                try
                {
                    clients[i] = await TamTamClient.ConnectAsync(new TamTamClientOptions
                    {
                        Uri = _silo!.Uri,
                        ClientName = "tamtam-load-tests",
                        ConnectTimeout = TimeSpan.FromSeconds(60),
                        RequestTimeout = TimeSpan.FromSeconds(60),
                        ReceiveBufferCapacity = 4,
                        Reconnect = ReconnectOptions.Disabled,
                    }, bound.Token);
                    await clients[i].JoinAsync(LinkOf(run, i), NodeOf(i), bound.Token);
                    await clients[i].BindAsync(PortOf(i), PortMode.Unicast, cancellationToken: bound.Token);
                }
                finally
                {
                    gate.Release();
                }
            }));
            output.WriteLine($"{Connections} connected, joined and bound in {clock.Elapsed}");

            // Every client receives one message and acknowledges it, while every client sends one to its neighbour.
            Task<IncomingMessage>[] receiving = [.. clients.Select(client => ReceiveOneAsync(client, bound.Token))];
            SendReceipt[] receipts = await Task.WhenAll(Enumerable.Range(0, Connections).Select(i =>
                clients[i].SendAsync(PortOf(Neighbour(i)), BitConverter.GetBytes(i), cancellationToken: bound.Token).AsTask()));
            IncomingMessage[] received = await Task.WhenAll(receiving);
            MessageStatus[] statuses = await Task.WhenAll(receipts.Select(r => r.Completion.WaitAsync(bound.Token)));
            output.WriteLine($"{Connections} sent, received and confirmed after {clock.Elapsed}");

            for (int i = 0; i < Connections; i++)
            {
                Assert.Equal(FinalState.Delivered, statuses[i].State);
                int from = BitConverter.ToInt32(received[i].Payload.Span);
                Assert.Equal(i, Neighbour(from));
                Assert.Equal(NodeOf(from), received[i].SourceNode);
            }

            Assert.True(clients.All(c => c.IsConnected));
        }
        finally
        {
            await Task.WhenAll(clients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private static async Task<IncomingMessage> ReceiveOneAsync(TamTamClient client, CancellationToken cancellationToken)
    {
        await foreach (IncomingMessage message in client.ReceiveAsync(cancellationToken))
        {
            await message.AckAsync(cancellationToken);
            return message;
        }

        throw new InvalidOperationException("the receive sequence ended before a message came");
    }

    // Nodes i and Neighbour(i) share a link: 100 nodes per link, each sending to the next in a ring.
    private static int Neighbour(int i) => i / NodesPerLink * NodesPerLink + (i % NodesPerLink + 1) % NodesPerLink;

    private static string LinkOf(string run, int i) => $"load-{run}-{i / NodesPerLink}";

    private static string NodeOf(int i) => $"node-{i}";

    private static string PortOf(int i) => $"inbox/{i}";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ManyConnectionsCollection
{
    public const string Name = "many connections";
}
