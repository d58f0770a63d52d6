using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Storage.Blob;
using TamTam.Storage.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Durability;

/// <summary>The silo on the Azure Blob backend (Azurite): what a graceful restart keeps lives in the container, not on disk.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobBackendRestartTests(AzuriteFixture azurite)
{
    private const int Messages = 10;
    private const string Port = "jobs";

    [Fact]
    public async Task A_message_sent_before_a_restart_of_a_silo_on_blob_storage_is_delivered_after_it()
    {
        using var data = new DataDirectory();
        BlobStorageOptions blob = azurite.NewOptions();
        string[] backend =
        [
            "--TamTam:Storage:Backend=blob",
            $"--TamTam:Storage:Blob:ConnectionString={blob.ConnectionString}",
            $"--TamTam:Storage:Blob:ContainerName={blob.ContainerName}",
        ];
        string link = Links.Unique("blob-restart");
        var sent = new List<Guid>();

        await using (InProcessSilo first = await InProcessSilo.StartAsync(data.Path, backend))
        {
            await (await Nodes.ListenAsync(first.Uri, link, "listener", Port)).DisposeAsync();

            await using TamTamClient sender = await Nodes.JoinAsync(first.Uri, link, "sender");
            for (int i = 0; i < Messages; i++)
            {
                SendReceipt receipt = await sender.SendAsync(Port, Nodes.Payload(256)).Within();
                sent.Add(receipt.MessageId);
            }

            await first.StopAsync();
        }

        var container = new BlobContainerClient(blob.ConnectionString, blob.ContainerName);
        string[] stored = container.GetBlobs().Select(b => b.Name).ToArray();
        Assert.True(Array.Exists(stored, name => name.StartsWith("logs/", StringComparison.Ordinal) && name.EndsWith(".seg", StringComparison.Ordinal)),
            $"the link's log should be in the container; it holds: {string.Join(", ", stored)}");
        Assert.Empty(Directory.GetFileSystemEntries(data.Path));

        await using InProcessSilo second = await InProcessSilo.StartAsync(data.Path, backend);
        await using TamTamClient listener = await Nodes.JoinAsync(second.Uri, link, "listener");
        var application = new ReceivingApplication();
        Task receiving = application.RunAsync(listener);
        await application.WaitForAsync(sent, TestTimeout.Batch);

        await using TamTamClient returningSender = await Nodes.JoinAsync(second.Uri, link, "sender");
        MessageStatus[] statuses = await Task.WhenAll(sent.Select(id => returningSender.WaitForStatusAsync(id).AsTask())).Within(TestTimeout.Batch);
        Assert.All(statuses, s => Assert.Equal(FinalState.Delivered, s.State));

        await listener.DisposeAsync();
        await receiving.Within();
        Assert.Equal(sent, application.Processed.Select(m => m.MessageId));
        Assert.Empty(application.Repeats);
    }

    [Theory]
    [InlineData("blob", "TamTam:Storage:Blob:ConnectionString (or TamTam:Storage:Blob:ServiceUri) must be set")]
    [InlineData("s3", "TamTam:Storage:Backend must be \"local\" or \"blob\"")]
    public async Task A_silo_with_an_incomplete_storage_configuration_refuses_to_start_naming_the_key(string backend, string expected)
    {
        using var data = new DataDirectory();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            InProcessSilo.StartAsync(data.Path, [$"--TamTam:Storage:Backend={backend}"]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
