using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.Cluster.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.Cluster.Tests.Failover;

/// <summary>
/// A parted upload whose silo is killed with SIGKILL: the parts it acknowledged are durable in the cluster's blob
/// storage, so the sender's client resumes its session on another silo and sends only the parts that were missing.
/// </summary>
[Collection(ClusterBackendsCollection.Name)]
public sealed class PartedTransferFailoverTests(ClusterBackends backends, ITestOutputHelper output)
{
    private const string Port = "files/in";
    private const long Size = (12L * 1024 * 1024) + 4321;
    private const int PartsBeforeKill = 4;

    [Fact]
    public async Task Upload_whose_silo_is_SIGKILLed_resumes_its_parts_through_another_silo_and_arrives_with_its_SHA_256()
    {
        await using SiloCluster cluster = await backends.StartClusterAsync(ClusterMode.AzureTable);
        await cluster.ShowingSiloOutputAsync(output, async () =>
        {
            string link = $"parted-{Guid.NewGuid():N}";
            byte[] sha256 = SeededPayload.Sha256Of(47, Size);

            // The receiver on silo 0, the sender on silo 1, the silo to die.
            await using TamTamClient receiver = await ClusterClients.JoinAsync(cluster.Endpoints, 0, link, "receiver").WaitAsync(ClusterTimeout.Start);
            await receiver.BindAsync(Port, PortMode.Unicast).AsTask().WaitAsync(ClusterTimeout.Start);
            var sink = new DigestSink();
            Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
            var senderLog = new ClientLogRecorder();
            await using TamTamClient sender = await ClusterClients.JoinAsync(cluster.Endpoints, 1, link, "sender", senderLog).WaitAsync(ClusterTimeout.Start);
            int partSize = sender.PartSize;

            var reached = new TaskCompletionSource();
            long readBeforeResume = -1;
            var source = new CountingStream(new SeededPayload(47, Size));
            Task<SendReceipt> uploading = sender.SendStreamAsync(Port, source, new SendOptions { MessageId = Guid.CreateVersion7() },
                new TransferOptions { Sha256 = sha256, Progress = new PartedTransfers.InlineProgress(p => { if (p.Parts >= PartsBeforeKill) { reached.TrySetResult(); } }) });
            await reached.Task.WaitAsync(ClusterTimeout.Traffic);

            // The old connection's upload loop has stopped reading once the client reconnects: what is read after that is the resumption.
            sender.Reconnected += (_, _) => Interlocked.CompareExchange(ref readBeforeResume, source.BytesRead, -1);
            await cluster.Silos[1].KillAsync();

            SendReceipt receipt;
            MessageStatus status;
            try
            {
                receipt = await uploading.WaitAsync(ClusterTimeout.Failover);
                status = await receipt.Completion.WaitAsync(ClusterTimeout.Settle);
                await receiving.WaitAsync(ClusterTimeout.Settle);
            }
            catch (TimeoutException)
            {
                output.WriteLine($"upload done: {uploading.IsCompleted}; read {source.BytesRead} bytes; the sender's log: {senderLog.Last}");
                throw;
            }

            Assert.Equal(FinalState.Delivered, status.State);
            Assert.Equal(sha256, sink.Sha256());

            // After the failover only the parts the cluster did not hold were read again: part-level resume.
            Assert.NotEqual(-1, Interlocked.Read(ref readBeforeResume));
            long resumed = source.BytesRead - readBeforeResume;
            Assert.True(resumed <= Size - (PartsBeforeKill * (long)partSize),
                $"the resumed upload read {resumed} bytes of a {Size}-byte payload: it started again instead of resuming");
        });
    }
}
