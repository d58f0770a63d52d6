using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Isolation;

/// <summary>
/// A producer faster than its consumer, against an inbox quota of 4 messages: the server refuses with 302 what
/// does not fit, the client pauses and offers it again, and every message is delivered once — none dropped.
/// </summary>
public sealed class FullInboxBackpressureTests
{
    private const string Port = "jobs";
    private const int Messages = 40;

    [Fact]
    public async Task A_producer_faster_than_a_full_inbox_is_paused_and_every_message_is_delivered()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:Links:MaxInboxMessages=4");
        string link = Links.Unique("full-inbox");
        await using TamTamClient consumer = await Nodes.ListenAsync(silo.Uri, link, "consumer", Port);
        await using TamTamClient producer = await Nodes.JoinAsync(silo.Uri, link, "producer");

        // The quota is in force: with the consumer not reading, a client that does not wait is refused the fifth.
        await using (TamTamClient impatient = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Uri = silo.Uri,
            QuotaWait = TimeSpan.Zero,
            Reconnect = ReconnectOptions.Disabled,
        }).Within())
        {
            await impatient.JoinAsync(link, "impatient").Within();
            for (int i = 0; i < 4; i++)
            {
                await impatient.SendAsync(Port, Nodes.Payload(64)).Within();
            }

            TamTamException refused = await Assert.ThrowsAsync<TamTamException>(() => impatient.SendAsync(Port, Nodes.Payload(64)).AsTask());
            Assert.Equal(ErrorCode.QuotaExceeded, refused.Code);
            await impatient.LeaveAsync().Within();
        }

        var seen = new HashSet<Guid>();
        Task consuming = Task.Run(async () =>
        {
            await foreach (IncomingMessage message in consumer.ReceiveAsync())
            {
                await Task.Delay(5);
                await message.AckAsync();
                seen.Add(message.MessageId);
                if (seen.Count == Messages + 4)
                {
                    return;
                }
            }
        });

        Task<SendReceipt>[] sends = [.. Enumerable.Range(0, Messages).Select(_ => producer.SendAsync(Port, Nodes.Payload(64)).AsTask())];
        SendReceipt[] receipts = await Task.WhenAll(sends).Within(TestTimeout.Batch);
        await consuming.Within(TestTimeout.Batch);
        MessageStatus[] statuses = await Task.WhenAll(receipts.Select(r => r.Completion)).Within(TestTimeout.Batch);

        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));
        Assert.Subset(seen, receipts.Select(r => r.MessageId).ToHashSet());
    }
}
