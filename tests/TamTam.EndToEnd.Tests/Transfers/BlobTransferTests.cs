using System.Diagnostics;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Storage.Blob;
using TamTam.Storage.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>
/// 256 MiB through a silo on the Azure Blob backend (Azurite): parts staged as blocks of one block blob, read back
/// by range, checked against the generator's SHA-256 at the receiver, and the blob removed after the final status.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobTransferTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const string Port = "files/big";
    private const long Size = 256L * 1024 * 1024;

    [Fact]
    public async Task A_256_MiB_payload_crosses_a_silo_on_blob_storage_with_its_SHA256_and_leaves_no_blob_behind()
    {
        using var data = new DataDirectory();
        BlobStorageOptions blob = azurite.NewOptions();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path,
            "--TamTam:Storage:Backend=blob",
            $"--TamTam:Storage:Blob:ConnectionString={blob.ConnectionString}",
            $"--TamTam:Storage:Blob:ContainerName={blob.ContainerName}");
        string link = Links.Unique("blob-transfer");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);

        var clock = Stopwatch.StartNew();
        MessageStatus status = await sender.SendStreamAndWaitAsync(Port, new SeededPayload(256, Size)).Within(TimeSpan.FromMinutes(3));
        IncomingMessage message = await receiving.Within();
        output.WriteLine($"256 MiB through Azurite, delivered and confirmed in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(Size, message.PayloadLength);
        Assert.Equal(SeededPayload.Sha256Of(256, Size), sink.Sha256());

        var container = new BlobContainerClient(blob.ConnectionString, blob.ContainerName);
        await PartedTransfers.EventuallyAsync(() => !container.GetBlobs(BlobTraits.None, BlobStates.None, "payloads/", CancellationToken.None).Any(),
            "the payload's blob is removed after the final status", TestTimeout.Batch);
    }
}
