using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Isolation;

/// <summary>A node whose application stops taking messages holds up its own deliveries, and nobody else's.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class SlowConsumerTests(SharedSiloFixture silo)
{
    // 60 × 1 MB (57 MiB, all within the link's delivery window of 512, so pushed at once): the slow node's client
    // reads them all (it never stops reading; the window bounds what it holds) while its application takes none,
    // and none is settled. (The inbox limit of 64 MiB per node bounds it from above.)
    private const int StalledMessages = 60;
    private const int StalledPayloadBytes = 1_000_000;
    private const int Exchanges = 100;

    [Fact]
    public async Task A_consumer_that_stops_reading_does_not_hold_up_other_sessions_on_the_same_link()
    {
        string link = Links.Unique("slow");
        await using TamTamClient slow = await Nodes.ListenAsync(silo.Uri, link, "slow", "bulk");
        await using TamTamClient fast = await Nodes.ListenAsync(silo.Uri, link, "fast", "live");
        await using TamTamClient producer = await Nodes.JoinAsync(silo.Uri, link, "producer");

        var stalled = new List<SendReceipt>();
        for (int i = 0; i < StalledMessages; i++)
        {
            stalled.Add(await producer.SendAsync("bulk", Nodes.Payload(StalledPayloadBytes)).Within());
        }

        // While the slow node sits on its deliveries, the same producer and link serve another node at once.
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(fast);
        for (int i = 0; i < Exchanges; i++)
        {
            MessageStatus status = await producer.SendAndWaitAsync("live", Nodes.Payload(256)).Within();
            Assert.Equal(FinalState.Delivered, status.State);
        }

        Assert.Equal(Exchanges, application.ProcessedCount);
        Assert.All(stalled, r => Assert.False(r.Completion.IsCompleted, $"{r} was settled although its consumer never read"));

        // Nothing the slow node held back was lost: once it reads, everything arrives, in order.
        var slowApplication = new ReceivingApplication();
        Task slowReceiving = slowApplication.RunAsync(slow);
        await slowApplication.WaitForAsync(stalled.Select(r => r.MessageId), TestTimeout.Batch);
        MessageStatus[] statuses = await Task.WhenAll(stalled.Select(r => r.Completion)).Within(TestTimeout.Batch);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));
        Assert.Equal(stalled.Select(r => r.MessageId), slowApplication.Processed.Select(m => m.MessageId));

        await fast.DisposeAsync();
        await slow.DisposeAsync();
        await Task.WhenAll(receiving, slowReceiving).Within();
    }
}
