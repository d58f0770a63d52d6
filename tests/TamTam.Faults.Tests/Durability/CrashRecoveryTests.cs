using System.Collections.Concurrent;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>
/// The executable in its own process, killed with SIGKILL and started again on the same data directory: an
/// ACCEPTED message is durable, so it must be delivered after the crash, and the application must never
/// process it twice.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const string Port = "work";

    [Fact]
    public async Task Every_message_accepted_before_a_SIGKILL_is_delivered_once_after_the_restart_and_its_status_reaches_the_sender()
    {
        const int Messages = 500;
        using var data = new DataDirectory();
        string link = Links.Unique("crash");
        Guid[] accepted;

        await using (SiloProcess first = await SiloProcess.StartAsync(data.Path))
        {
            await (await Nodes.ListenAsync(first.Uri, link, "consumer", Port)).DisposeAsync();

            await using TamTamClient producer = await Nodes.JoinAsync(first.Uri, link, "producer");
            SendReceipt[] receipts = await Task.WhenAll(Enumerable.Range(0, Messages)
                .Select(_ => producer.SendAsync(Port, Nodes.Payload(256)).AsTask())).Within(TestTimeout.Batch);
            accepted = [.. receipts.Select(r => r.MessageId)];
            Assert.Equal(Messages, accepted.Distinct().Count());

            await first.KillAsync();
        }

        await using SiloProcess second = await SiloProcess.StartAsync(data.Path);
        await using TamTamClient consumer = await Nodes.JoinAsync(second.Uri, link, "consumer");
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(consumer);
        await application.WaitForAsync(accepted, TestTimeout.Batch);

        await using TamTamClient producerAgain = await Nodes.JoinAsync(second.Uri, link, "producer");
        MessageStatus[] statuses = await Task.WhenAll(accepted.Select(id => producerAgain.WaitForStatusAsync(id).AsTask())).Within(TestTimeout.Batch);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));

        await consumer.DisposeAsync();
        await receiving.Within();
        Assert.Equal(accepted.Order(), application.Processed.Select(m => m.MessageId).Order());
        Assert.Empty(application.Repeats);
        Assert.Empty(application.SurfacedTwiceInOneConnection);
        Assert.True(application.Processed.Zip(application.Processed.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence),
            "the consumer received the inbox out of link order");
    }

    [Fact]
    public async Task A_SIGKILL_in_the_middle_of_acknowledged_traffic_loses_no_accepted_message_and_processes_none_twice()
    {
        const int KillAfterProcessed = 500;
        const int SendWindow = 64;
        using var data = new DataDirectory();
        string link = Links.Unique("crash-mid");
        var application = new ReceivingApplication();
        var receipts = new ConcurrentDictionary<Guid, SendReceipt>();
        Task firstReceiving;

        await using (SiloProcess first = await SiloProcess.StartAsync(data.Path))
        {
            await using TamTamClient consumer = await Nodes.ListenAsync(first.Uri, link, "consumer", Port);
            firstReceiving = application.RunAsync(consumer);
            await using TamTamClient producer = await Nodes.JoinAsync(first.Uri, link, "producer");

            // Sends without pause, a window of them in flight, until the crash cuts the connection.
            Task producing = ProduceUntilFailureAsync(producer, SendWindow, receipts);
            await application.WaitForCountAsync(KillAfterProcessed, TestTimeout.Batch);
            await first.KillAsync();

            await producing.Within();
            await firstReceiving.Within();
        }

        // (A message can be processed before its ACCEPTED reaches the producer, so the receipts may trail a little.)
        int processedBeforeCrash = application.ProcessedCount;
        Assert.True(processedBeforeCrash >= KillAfterProcessed);
        Assert.NotEmpty(receipts);

        await using SiloProcess second = await SiloProcess.StartAsync(data.Path);
        await using TamTamClient consumerAgain = await Nodes.JoinAsync(second.Uri, link, "consumer");
        Task receiving = application.RunAsync(consumerAgain);
        await application.WaitForAsync(receipts.Keys, TestTimeout.Batch);

        // Statuses that reached the first producer connection are known; the rest are held for the node.
        await using TamTamClient producerAgain = await Nodes.JoinAsync(second.Uri, link, "producer");
        MessageStatus[] statuses = await Task.WhenAll(receipts.Values.Select(r => StatusAsync(r, producerAgain))).Within(TestTimeout.Batch);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));

        await consumerAgain.DisposeAsync();
        await receiving.Within();
        Assert.Empty(application.SurfacedTwiceInOneConnection);

        // What the crash made the server deliver again is marked so, and the application answered it without processing it.
        Assert.All(application.Repeats, m => Assert.True(m.IsRedelivery, $"{m} came again without the REDELIVERY flag"));
        output.WriteLine($"accepted before the kill: {receipts.Count}; processed before it: {processedBeforeCrash}; processed in all: "
            + $"{application.ProcessedCount}; delivered again after the restart and answered without processing: {application.Repeats.Count}");
    }

    private static async Task ProduceUntilFailureAsync(TamTamClient producer, int window, ConcurrentDictionary<Guid, SendReceipt> receipts)
    {
        using var slots = new SemaphoreSlim(window);
        var inFlight = new List<Task>();
        using var stop = new CancellationTokenSource();
        while (!stop.IsCancellationRequested)
        {
            await slots.WaitAsync();
            if (stop.IsCancellationRequested)
            {
                break;
            }

            inFlight.Add(SendOneAsync());
        }

        await Task.WhenAll(inFlight);

        async Task SendOneAsync()
        {
            try
            {
                SendReceipt receipt = await producer.SendAsync(Port, Nodes.Payload(256));
                receipts[receipt.MessageId] = receipt;
            }
            catch (TamTamConnectionException)
            {
                // The crash: this SEND may or may not have been stored; only ACCEPTED ones are promised.
                await stop.CancelAsync();
            }
            finally
            {
                slots.Release();
            }
        }
    }

    private static async Task<MessageStatus> StatusAsync(SendReceipt receipt, TamTamClient producerAgain)
    {
        try
        {
            return await receipt.Completion;
        }
        catch (TamTamConnectionException)
        {
            return await producerAgain.WaitForStatusAsync(receipt.MessageId);
        }
    }
}
