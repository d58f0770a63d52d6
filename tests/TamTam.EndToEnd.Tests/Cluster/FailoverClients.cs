using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Sessions;

namespace TamTam.EndToEnd.Tests.Cluster;

/// <summary>Clients that know several silos of one cluster, and acked traffic between two of them across a fault.</summary>
internal static class FailoverClients
{
    public const string Port = "jobs";

    public static async Task<TamTamClient> JoinAsync(IReadOnlyList<Uri> endpoints, string link, string node)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions
        {
            Endpoints = endpoints,
            ClientName = "tamtam-e2e-tests",
            Reconnect = ResumingClients.Quick,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        }).Within();
        await client.JoinAsync(link, node).Within();
        return client;
    }

    /// <summary>
    /// Sends <paramref name="messages"/> messages one after another from <paramref name="sender"/> to
    /// <paramref name="application"/>'s node, runs <paramref name="fault"/> once a third of them is processed (the second
    /// half is sent once it has run), and returns every message's final status once all arrived.
    /// </summary>
    public static async Task<(List<Guid> Sent, MessageStatus[] Statuses)> ExchangeAcrossAsync(TamTamClient sender, ReceivingApplication application,
        int messages, Func<Task> fault)
    {
        var sent = new List<Guid>();
        var receipts = new List<SendReceipt>();
        var faulted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < messages; i++)
            {
                if (i == messages / 2)
                {
                    // The second half goes after the fault: through the other silo.
                    await faulted.Task.WaitAsync(TestTimeout.Batch);
                }

                // A send in flight when the connection goes is sent again under its id on the next one.
                SendReceipt receipt = await sender.SendAsync(Port, Nodes.Payload(128)).AsTask().WaitAsync(TestTimeout.Batch);
                lock (sent)
                {
                    sent.Add(receipt.MessageId);
                    receipts.Add(receipt);
                }
            }
        });

        await application.WaitForCountAsync(messages / 3, TestTimeout.Batch);
        await fault();
        faulted.SetResult();
        await sending.WaitAsync(TestTimeout.Batch * 2);
        await application.WaitForAsync(sent, TestTimeout.Batch);
        MessageStatus[] statuses = await Task.WhenAll(receipts.Select(r => r.Completion)).WaitAsync(TestTimeout.Batch);
        return (sent, statuses);
    }
}
