using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using static TamTam.Gateway.Tests.Interchange.StationPeer;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// A station session's delivery window (docs/protocol.md section 5.18, "Delivering to a station"): many DELIVERs outstanding
/// at once, in the link's order, and their ACKs settled as a node's are — batched into few link calls, not one durable write
/// per message while the session's reading waits.
/// </summary>
[Collection(InterchangeCollection.Name)]
public sealed class StationWindowTests(InterchangeSiloFixture silo) : IAsyncLifetime
{
    private const int Window = 200;
    private const uint FirstCorrelation = 1000;

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => silo.WaitForNoRoutesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Name(string what) => $"{what}-{_id}";

    [Fact]
    public async Task A_station_holds_a_window_of_deliveries_in_link_order_and_each_ack_becomes_its_senders_status()
    {
        await using WireClient station = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), Name("far"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");

        Guid[] sent = await SendAllAsync(sender, Name("far"));

        // Every message is DELIVERed before the station answers any: the window, not one at a time.
        DeliverFrame[] delivered = await ReceiveDeliveriesAsync(station);
        Assert.Equal(sent, delivered.Select(d => d.MessageId));
        Assert.True(delivered.Zip(delivered.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "DELIVERs in the link's order");

        // Answered all at once, the last one twice: the second answer is 304, the others become DELIVERED.
        uint correlation = FirstCorrelation;
        foreach (DeliverFrame d in delivered)
        {
            await station.SendAsync(new AckFrame(d.MessageId, d.Sequence), correlation++);
        }

        await station.SendAsync(new AckFrame(delivered[^1].MessageId, delivered[^1].Sequence), correlation);
        await station.ExpectErrorAsync(ErrorCode.UnknownDelivery, correlation, fatal: false);
        HashSet<Guid> final = await ReceiveStatusesAsync(sender);
        Assert.Equal(sent.ToHashSet(), final);
    }

    [Fact]
    public async Task A_window_of_acks_from_a_station_is_settled_in_a_few_durable_writes_not_one_per_message()
    {
        await using WireClient station = await RegisteredAsync(silo.TcpEndPoint, Name("edge"), Name("far"));
        await using WireClient sender = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1");
        await SendAllAsync(sender, Name("far"));
        DeliverFrame[] delivered = await ReceiveDeliveriesAsync(station);

        // The ACKs in one write, as a station answering a window does; the silo's group commits counted until the sender
        // has every status (which it does not confirm meanwhile: a confirmation is a durable write of its own).
        var acks = new List<byte>();
        uint correlation = FirstCorrelation;
        foreach (DeliverFrame d in delivered)
        {
            acks.AddRange(FrameCodec.ToArray(new AckFrame(d.MessageId, d.Sequence), correlation++));
        }

        using var commits = new GroupCommitCounter(silo.Services);
        await station.SendRawAsync(acks.ToArray());
        var final = new HashSet<Guid>();
        while (final.Count < Window)
        {
            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal(FinalState.Delivered, status.State);
            final.Add(status.MessageId);
        }

        // One link call per ACK made at least one durable write per message, while the session's reading waited.
        Assert.True(commits.Count < Window / 4, $"{Window} ACKs from a station took {commits.Count} group commits");
    }

    private static async Task<Guid[]> SendAllAsync(WireClient sender, string link)
    {
        var sent = new Guid[Window];
        for (int i = 0; i < Window; i++)
        {
            SendFrame message = Message(link, "inbox", $"m{i}");
            sent[i] = message.MessageId;
            await sender.SendAsync(message, FirstCorrelation + (uint)i);
        }

        for (int i = 0; i < Window; i++)
        {
            await sender.ReceiveAsync<AcceptedFrame>();
        }

        return sent;
    }

    private static async Task<DeliverFrame[]> ReceiveDeliveriesAsync(WireClient receiver)
    {
        var delivered = new DeliverFrame[Window];
        for (int i = 0; i < Window; i++)
        {
            delivered[i] = await receiver.ReceiveAsync<DeliverFrame>();
        }

        return delivered;
    }

    private static async Task<HashSet<Guid>> ReceiveStatusesAsync(WireClient sender)
    {
        var final = new HashSet<Guid>();
        while (final.Count < Window)
        {
            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal(FinalState.Delivered, status.State);
            final.Add(status.MessageId);
            await sender.SendAsync(new StatusAckFrame(status.MessageId));
        }

        return final;
    }
}
