using System.Diagnostics;
using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;
using Xunit.Abstractions;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>
/// One gibibyte through a silo with the local payload store: generated from a seed as it is read, hashed as it
/// arrives, never held whole anywhere (nor stored in the repository).
/// </summary>
[Collection(SharedSiloCollection.Name)]
public sealed class GigabyteTransferTests(SharedSiloFixture silo, ITestOutputHelper output)
{
    private const string Port = "files/big";
    private const long Size = 1L << 30;

    [Fact]
    public async Task One_GiB_payload_arrives_with_the_SHA256_it_was_sent_with()
    {
        string link = Links.Unique("gigabyte");
        await using TamTamClient receiver = await Nodes.ListenAsync(silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, link, "sender");
        var sink = new DigestSink();
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);

        var clock = Stopwatch.StartNew();
        var source = new SeededPayload(1024, Size);
        MessageStatus status = await sender.SendStreamAndWaitAsync(Port, source).Within(TimeSpan.FromMinutes(2));
        IncomingMessage message = await receiving.Within();
        output.WriteLine($"1 GiB sent, delivered and confirmed in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(Size, message.PayloadLength);
        Assert.Equal(Size, sink.Written);

        // The receiver's client checked the digest against the SEND's; the test checks it against the generator.
        Assert.Equal(SeededPayload.Sha256Of(1024, Size), sink.Sha256());
    }
}
