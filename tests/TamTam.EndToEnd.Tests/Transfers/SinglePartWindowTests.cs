using TamTam.Bench.Workloads.W5;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Protocol;

namespace TamTam.EndToEnd.Tests.Transfers;

/// <summary>
/// A gateway whose part window is one, below the client's (8). The upload goes on although parts beyond the window are
/// refused (403) and come again out of order: the part a staged later one waits for is always let in. The delivery's
/// parts, read ahead from the store, still go out one at a time and in order.
/// </summary>
public sealed class SinglePartWindowTests : IClassFixture<SinglePartWindowTests.Silo>
{
    private const string Port = "files/in";
    private const long Size = (6 * 1024 * 1024) + 4_321;

    private readonly Silo _silo;

    public SinglePartWindowTests(Silo silo) => _silo = silo;

    [Fact]
    public async Task A_delivery_through_a_window_of_one_part_arrives_whole_and_in_order_in_a_stream_that_cannot_seek()
    {
        string link = Links.Unique("window-one");
        await using TamTamClient receiver = await Nodes.ListenAsync(_silo.Uri, link, "receiver", Port);
        await using TamTamClient sender = await Nodes.JoinAsync(_silo.Uri, link, "sender");

        // A sink that cannot seek: a part out of order fails the receive.
        var sink = new DigestSink();
        Assert.False(sink.CanSeek);
        Task<IncomingMessage> receiving = PartedTransfers.ReceiveOneAsync(receiver, sink);
        SendReceipt receipt = await sender.SendStreamAsync(Port, new SeededPayload(21, Size)).Within(TestTimeout.Batch);
        MessageStatus status = await receipt.Completion.Within(TestTimeout.Batch);
        await receiving.Within(TestTimeout.Batch);

        Assert.Equal(FinalState.Delivered, status.State);
        Assert.Equal(Size, sink.Written);
        Assert.Equal(SeededPayload.Sha256Of(21, Size), sink.Sha256());
    }

    /// <summary>A silo of its own whose gateway keeps one part in flight per transfer.</summary>
    public sealed class Silo : SharedSiloFixture
    {
        protected override string[] ExtraArguments => ["--TamTam:Gateway:PartWindow=1"];
    }
}
