using System.Buffers;
using System.Security.Cryptography;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Interchange.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using TamTam.Station;

namespace TamTam.Interchange.Tests;

/// <summary>
/// A parted payload through a station (docs/protocol.md sections 5.18 "Parts" and 7): a few MiB in several parts, from a node
/// of the cloud interchange (a silo process) to a node behind a station and back, each arriving with its SHA-256; and a
/// station stopped halfway through receiving one that keeps the parts it stored, and an upload of one that resumes at the part.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class PartedTests : IDisposable
{
    private readonly string _data = Stations.NewDataPath("parted");

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_parted_payload_travels_from_a_cloud_node_to_a_node_behind_a_station_and_back_with_its_sha256()
    {
        await using CloudSilo cloud = await CloudSilo.StartAsync();
        await using TamTamStation station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], cloud.Uri));
        await station.WaitRegisteredAsync(Within.Exchange);
        await using TamTamClient press = await Stations.NodeAsync(station.TcpUri, "plant", "press", "drawings");
        await using TamTamClient web = await Stations.NodeAsync(cloud.Uri, "cloud", "web", "returns");

        // Down: cloud → station → its node; up: the station's node → the cloud.
        await CarryAsync(web, press, "plant", "drawings", (3 * 1024 * 1024) + 12_345, ("cloud", "web"));
        await CarryAsync(press, web, "cloud", "returns", (2 * 1024 * 1024) + 777, ("plant", "press"));
    }

    [Fact]
    public async Task A_station_restarted_halfway_through_a_parted_delivery_keeps_the_parts_it_stored()
    {
        await using var interchange = new StandInInterchange();
        byte[] payload = Nodes.Payload((5 * 64 * 1024) + 99);
        const int PartSize = 64 * 1024;
        int count = (payload.Length + PartSize - 1) / PartSize;
        var id = Guid.NewGuid();
        var deliver = new DeliverFrame(id, 7, 0, "cloud", "web", "plant", "drawings", 1, 0, false,
            new TransferInfo((ulong)payload.Length, PartSize, (uint)count, SHA256.HashData(payload)), ReadOnlySequence<byte>.Empty);

        await using (TamTamStation station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], interchange.Uri)))
        {
            await station.WaitRegisteredAsync(Within.Exchange);
            await interchange.SendAsync(deliver);
            for (int i = 0; i < 3; i++)
            {
                await interchange.SendAsync(Part(id, payload, PartSize, i));
                (PartAckFrame stored, _) = await interchange.ExpectAsync<PartAckFrame>();
                Assert.Equal((id, (uint)i, ErrorCode.None), (stored.TransferId, stored.Index, stored.Result));
            }
        }

        // Started again on its data: the DELIVER comes again and only the parts it did not confirm follow, as an interchange
        // that recorded its PART_ACKs sends them.
        await using TamTamStation restarted = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], interchange.Uri));
        await restarted.WaitRegisteredAsync(Within.Exchange);
        await using TamTamClient press = await Stations.NodeAsync(restarted.TcpUri, "plant", "press", "drawings");
        await interchange.SendAsync(deliver with { Attempt = 2, Redelivery = true });
        for (int i = 3; i < count; i++)
        {
            await interchange.SendAsync(Part(id, payload, PartSize, i));
            (PartAckFrame stored, _) = await interchange.ExpectAsync<PartAckFrame>();
            Assert.Equal(((uint)i, ErrorCode.None), (stored.Index, stored.Result));
        }

        IncomingMessage received = await Stations.NextAsync(press);
        Assert.Equal(SHA256.HashData(payload), await ReceiveDigestAsync(received));
        await received.AckAsync();
        (AckFrame settled, _) = await interchange.ExpectAsync<AckFrame>();
        Assert.Equal((id, 7ul), (settled.MessageId, settled.Sequence));
    }

    [Fact]
    public async Task An_upload_cut_off_by_the_interchange_is_resumed_by_the_senders_next_send_without_the_parts_it_holds()
    {
        await using var interchange = new StandInInterchange();
        await using TamTamStation station = await TamTamStation.StartAsync(Stations.Options("factory", _data, ["plant"], interchange.Uri));
        await station.WaitRegisteredAsync(Within.Exchange);
        await interchange.NextRegistrationAsync();
        await using TamTamClient press = await Stations.NodeAsync(station, "plant", "press");

        // Larger than the node's part size, so the node uploads it in parts; the stand-in's WELCOME makes 64 KiB parts upstream.
        byte[] payload = Nodes.Payload((1536 * 1024) + 3);
        var options = new SendOptions { Link = "cloud", MessageId = Guid.NewGuid() };
        Task<SendReceipt> first = press.SendStreamAsync("inbox", new MemoryStream(payload), options);
        (SendFrame send, _) = await interchange.ExpectAsync<SendFrame>();
        TransferInfo info = send.Transfer!.Value;
        Assert.Equal((options.MessageId.Value, "plant", "press", 65_536u, (ulong)payload.Length),
            (send.MessageId, send.Station!.Value.Link.ToString(), send.Station.Value.Node.ToString(), info.PartSize, info.TotalSize));
        await AnswerPingAsync(interchange);
        var held = new HashSet<uint>();
        while (held.Count < 3)
        {
            (PartFrame part, uint correlation) = await interchange.ExpectAsync<PartFrame>();
            Assert.Equal(Crc32C.Compute(payload.AsSpan((int)part.Index * 65_536, (int)part.Payload.Length)), part.Crc32C);
            held.Add(part.Index);
            await interchange.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None), correlation);
        }

        // The interchange goes away: the node is told 501, and sends again once the station is registered again.
        interchange.Drop();
        TamTamException cut = await Assert.ThrowsAsync<TamTamException>(() => first.Bounded());
        Assert.Equal(ErrorCode.Unavailable, cut.Code);
        await interchange.NextRegistrationAsync();
        Task<SendReceipt> again = press.SendStreamAsync("inbox", new MemoryStream(payload), options);

        // The same SEND; the interchange names the parts it holds before the PONG, and only the others come.
        (SendFrame repeated, uint sendCorrelation) = await interchange.ExpectAsync<SendFrame>();
        Assert.Equal(send.MessageId, repeated.MessageId);
        foreach (uint index in held)
        {
            await interchange.SendAsync(new PartAckFrame(send.MessageId, index, ErrorCode.None));
        }

        await AnswerPingAsync(interchange);
        var sent = new HashSet<uint>();
        while (held.Count + sent.Count < info.PartCount)
        {
            (PartFrame part, uint correlation) = await interchange.ExpectAsync<PartFrame>();
            Assert.DoesNotContain(part.Index, held);
            Assert.True(sent.Add(part.Index), $"part {part.Index} came twice");
            await interchange.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None), correlation);
        }

        await interchange.SendAsync(new AcceptedFrame(send.MessageId, 5, 1, false), sendCorrelation);
        SendReceipt receipt = await again.Bounded();
        Assert.Equal((send.MessageId, 5ul), (receipt.MessageId, receipt.Sequence));
    }

    private static async Task AnswerPingAsync(StandInInterchange interchange)
    {
        (PingFrame ping, uint correlation) = await interchange.ExpectAsync<PingFrame>();
        await interchange.SendAsync(new PongFrame(ping.SentAt, ping.SentAt), correlation);
    }

    /// <summary>A parted payload of <paramref name="size"/> bytes from <paramref name="sender"/> to <paramref name="receiver"/>: its SHA-256 arrives, and its DELIVERED.</summary>
    private static async Task CarryAsync(TamTamClient sender, TamTamClient receiver, string link, string port, int size, (string Link, string Node) from)
    {
        byte[] payload = Nodes.Payload(size);
        SendReceipt sent = await sender.SendStreamAsync(port, new MemoryStream(payload), new SendOptions { Link = link }).Bounded();
        IncomingMessage received = await Stations.NextAsync(receiver, Within.Exchange * 2);
        Assert.True(received.IsParted);
        Assert.Equal((from.Link, from.Node, (long)payload.Length), (received.SourceLink, received.SourceNode, received.PayloadLength));
        Assert.Equal(SHA256.HashData(payload), await ReceiveDigestAsync(received));
        await received.AckAsync();
        Assert.Equal(FinalState.Delivered, (await sent.Completion.Bounded()).State);
    }

    private static async Task<byte[]> ReceiveDigestAsync(IncomingMessage message)
    {
        string file = Path.GetTempFileName();
        try
        {
            await using (FileStream destination = File.Open(file, FileMode.Open, FileAccess.ReadWrite))
            {
                await message.ReceivePayloadAsync(destination).WaitAsync(Within.Exchange * 2);
            }

            await using FileStream written = File.OpenRead(file);
            return await SHA256.HashDataAsync(written);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static PartFrame Part(Guid id, byte[] payload, int partSize, int index)
    {
        int count = (payload.Length + partSize - 1) / partSize;
        int offset = index * partSize;
        byte[] bytes = payload[offset..Math.Min(payload.Length, offset + partSize)];
        return new PartFrame(id, (uint)index, (uint)count, Crc32C.Compute(bytes), new ReadOnlySequence<byte>(bytes));
    }
}
