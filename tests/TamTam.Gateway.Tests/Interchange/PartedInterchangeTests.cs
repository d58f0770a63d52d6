using System.Buffers;
using System.Security.Cryptography;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;
using static TamTam.Gateway.Tests.Interchange.StationPeer;

namespace TamTam.Gateway.Tests.Interchange;

/// <summary>
/// Parted payloads through the interchange (docs/protocol.md sections 5.18 "Parts" and 7): a station session receives a parted
/// message as a node does — DELIVER with PARTED, then PARTs it acknowledges, resumed after a reconnect — and sends one as a
/// node does, with STATION.
/// </summary>
[Collection(InterchangeCollection.Name)]
public sealed class PartedInterchangeTests(InterchangeSiloFixture silo) : IAsyncLifetime
{
    // The smallest body there is makes parts of 996 bytes: a payload of a few kilobytes is several parts.
    private const uint SmallBody = 1024;

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => silo.WaitForNoRoutesAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private string Name(string what) => $"{what}-{_id}";

    [Fact]
    public async Task A_parted_message_to_a_station_link_reaches_the_station_as_parts_resumed_after_a_reconnect_and_ends_delivered()
    {
        (WireClient station, int stationPart) = await SmallStationAsync(Name("edge"), Name("far"));
        await using WireClient sender = await WireClient.ConnectAsync(silo.TcpEndPoint);
        int senderPart = (int)(await sender.HelloAsync(SmallBody)).PartSize;
        await sender.ExpectOkAsync(new JoinFrame(Name("cloud"), "n1"), 2);

        byte[] payload = Nodes.Payload((5 * senderPart) - 100);
        SendFrame send = Parted(Name("far"), payload, senderPart, from: null);
        var received = new Dictionary<uint, byte[]>();
        DeliverFrame first;
        await using (station)
        {
            await UploadAsync(sender, send, payload, senderPart, correlation: 10);

            // The station gets the DELIVER with PARTED, cut in its own part size, then the parts; it confirms two and goes away.
            first = await station.ReceiveAsync<DeliverFrame>();
            TransferInfo info = first.Transfer!.Value;
            Assert.Equal((send.MessageId, (ulong)payload.Length, (uint)stationPart, Convert.ToHexString(SHA256.HashData(payload))),
                (first.MessageId, info.TotalSize, info.PartSize, Convert.ToHexString(info.Sha256.Span)));
            while (received.Count < 2)
            {
                PartFrame part = await station.ReceiveAsync<PartFrame>();
                Assert.Equal(Crc32C.Compute(part.Payload.ToArray()), part.Crc32C);
                received[part.Index] = part.Payload.ToArray();
                await station.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None));
            }

            // The PART_ACKs are read before the PONG, so before the station leaves; the parts streamed meanwhile stay unconfirmed.
            await station.SendAsync(new PingFrame(1), 77);
            while ((await station.ReceiveAsync()).Type != FrameType.Pong)
            {
            }
        }

        // Registered again: the DELIVER comes again (maybe before the OK), the parts it confirmed are named by PART_ACK 0,
        // and only the others follow.
        HashSet<uint> confirmedFirst = [.. received.Keys];
        await silo.WaitForNoRoutesAsync(); // the first session has ended: its station has left, and its name is free
        (station, _) = await SmallStationAsync(Name("edge"), Name("far"), awaitOk: false);
        await using (station)
        {
            DeliverFrame? again = null;
            bool registered = false;
            var confirmedBefore = new HashSet<uint>();
            while (!registered || received.Count < first.Transfer!.Value.PartCount)
            {
                ReceivedFrame frame = await station.ReceiveAsync();
                switch (frame.Type)
                {
                    case FrameType.Ok:
                        Assert.Equal(2u, frame.Correlation);
                        registered = true;
                        break;
                    case FrameType.Deliver:
                        again = frame.Decode<DeliverFrame>();
                        Assert.Equal((send.MessageId, first.Sequence, true), (again.Value.MessageId, again.Value.Sequence, again.Value.Redelivery));
                        break;
                    case FrameType.PartAck:
                        PartAckFrame held = frame.Decode<PartAckFrame>();
                        Assert.NotNull(again);
                        Assert.Equal((send.MessageId, ErrorCode.None), (held.TransferId, held.Result));
                        confirmedBefore.Add(held.Index);
                        break;
                    default:
                        PartFrame part = frame.Decode<PartFrame>();
                        Assert.NotNull(again);
                        Assert.DoesNotContain(part.Index, confirmedBefore);
                        Assert.DoesNotContain(part.Index, received.Keys);
                        received[part.Index] = part.Payload.ToArray();
                        await station.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None));
                        break;
                }
            }

            Assert.Equal(confirmedFirst, confirmedBefore);
            byte[] assembled = [.. received.OrderBy(p => p.Key).SelectMany(p => p.Value)];
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(assembled));
            await station.SendAsync(new AckFrame(again!.Value.MessageId, again.Value.Sequence), 30);

            StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
            Assert.Equal((send.MessageId, FinalState.Delivered, 1u, 1u), (status.MessageId, status.State, status.Recipients, status.Confirmed));
        }
    }

    [Fact]
    public async Task A_parted_send_from_a_station_is_reassembled_and_delivered_to_a_cloud_node_and_its_status_goes_to_the_station()
    {
        (WireClient station, int stationPart) = await SmallStationAsync(Name("edge"), Name("home"));
        await using (station)
        {
            await using WireClient receiver = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1", "inbox");
            byte[] payload = Nodes.Payload((4 * stationPart) + 17);
            SendFrame send = Parted(Name("cloud"), payload, stationPart, from: new StationSource(Name("home"), "sensor"));
            await UploadAsync(station, send, payload, stationPart, correlation: 40);

            DeliverFrame delivered = await receiver.ReceiveAsync<DeliverFrame>();
            Assert.Equal((send.MessageId, Name("home"), "sensor", (ulong)payload.Length),
                (delivered.MessageId, delivered.SrcLink.ToString(), delivered.SrcNode.ToString(), delivered.Transfer!.Value.TotalSize));
            var assembled = new byte[payload.Length];
            int offset = 0;
            for (uint i = 0; i < delivered.Transfer.Value.PartCount; i++)
            {
                PartFrame part = await receiver.ReceiveAsync<PartFrame>();
                part.Payload.CopyTo(assembled.AsSpan(offset));
                offset += (int)part.Payload.Length;
                await receiver.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None));
            }

            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(assembled));
            await receiver.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 41);

            StatusFrame status = await station.ReceiveAsync<StatusFrame>();
            Assert.Equal((send.MessageId, FinalState.Delivered), (status.MessageId, status.State));
            await station.SendAsync(new StatusAckFrame(send.MessageId), 42);
        }
    }

    [Fact]
    public async Task A_stations_upload_resumes_on_its_next_session_with_the_parts_the_interchange_holds_acknowledged_first()
    {
        await using WireClient receiver = await NodeAsync(silo.TcpEndPoint, Name("cloud"), "n1", "inbox");
        (WireClient station, int partSize) = await SmallStationAsync(Name("edge"), Name("home"));
        byte[] payload = Nodes.Payload((4 * partSize) + 1);
        SendFrame send = Parted(Name("cloud"), payload, partSize, from: new StationSource(Name("home"), "sensor"));
        await using (station)
        {
            await station.SendAsync(send, 60);
            for (int i = 0; i < 2; i++)
            {
                await station.SendAsync(Part(send.MessageId, payload, partSize, i), 61 + (uint)i);
                Assert.Equal(((uint)i, ErrorCode.None), Result(await station.ReceiveAsync<PartAckFrame>()));
            }
        }

        // A new session of the station: the same SEND is answered PART_ACK 0 (correlation 0) for the two parts held, before the
        // PONG of the PING behind it; the other parts complete the message.
        await silo.WaitForNoRoutesAsync();
        (station, _) = await SmallStationAsync(Name("edge"), Name("home"));
        await using (station)
        {
            await station.SendAsync(send, 70);
            await station.SendAsync(new PingFrame(5), 71);
            var held = new List<uint>();
            ReceivedFrame frame;
            while ((frame = await station.ReceiveAsync()).Type == FrameType.PartAck)
            {
                Assert.Equal((0u, ErrorCode.None), (frame.Correlation, frame.Decode<PartAckFrame>().Result));
                held.Add(frame.Decode<PartAckFrame>().Index);
            }

            Assert.Equal((FrameType.Pong, 71u), (frame.Type, frame.Correlation));
            Assert.Equal([0u, 1u], held.Order());
            for (int i = 2; i < send.Transfer!.Value.PartCount; i++)
            {
                await station.SendAsync(Part(send.MessageId, payload, partSize, i), 72 + (uint)i);
                Assert.Equal(((uint)i, ErrorCode.None), Result(await station.ReceiveAsync<PartAckFrame>()));
            }

            ReceivedFrame accepted = await station.ReceiveAsync();
            Assert.Equal((FrameType.Accepted, 70u), (accepted.Type, accepted.Correlation));
            DeliverFrame delivered = await receiver.ReceiveAsync<DeliverFrame>();
            Assert.Equal((send.MessageId, Name("home"), "sensor"), (delivered.MessageId, delivered.SrcLink.ToString(), delivered.SrcNode.ToString()));
        }
    }

    [Fact]
    public async Task A_ring_forwarded_parted_message_is_offered_with_its_size_and_the_claiming_station_receives_its_parts()
    {
        // Ring order is byte order of the names: "a…" is offered first and passes, "b…" claims.
        (WireClient a, _) = await SmallStationAsync(Name("a"), Name("a-home"));
        await using (a)
        {
            (WireClient b, int partSize) = await SmallStationAsync(Name("b"), Name("b-home"));
            await using (b)
            {
                await using WireClient sender = await WireClient.ConnectAsync(silo.TcpEndPoint);
                int senderPart = (int)(await sender.HelloAsync(SmallBody)).PartSize;
                await sender.ExpectOkAsync(new JoinFrame(Name("cloud"), "n1"), 2);
                byte[] payload = Nodes.Payload((3 * senderPart) + 5);
                SendFrame send = Parted(Name("bridged"), payload, senderPart, from: null);
                await UploadAsync(sender, send, payload, senderPart, correlation: 50);

                StationOfferFrame offer = await a.ReceiveAsync<StationOfferFrame>();
                Assert.Equal((send.MessageId, (ulong)payload.Length), (offer.MessageId, offer.Size));
                await a.SendAsync(new StationPassFrame(send.MessageId, (byte)(offer.Ttl - 1)), 51);
                Assert.Equal(send.MessageId, (await b.ReceiveAsync<StationOfferFrame>()).MessageId);
                await b.SendAsync(new StationClaimFrame(send.MessageId), 52);

                DeliverFrame delivered = await b.ReceiveAsync<DeliverFrame>();
                Assert.Equal((send.MessageId, (ulong)payload.Length, (uint)partSize),
                    (delivered.MessageId, delivered.Transfer!.Value.TotalSize, delivered.Transfer.Value.PartSize));
                var assembled = new byte[payload.Length];
                for (uint i = 0; i < delivered.Transfer.Value.PartCount; i++)
                {
                    PartFrame part = await b.ReceiveAsync<PartFrame>();
                    part.Payload.CopyTo(assembled.AsSpan((int)part.Index * partSize));
                    await b.SendAsync(new PartAckFrame(send.MessageId, part.Index, ErrorCode.None));
                }

                Assert.Equal(SHA256.HashData(payload), SHA256.HashData(assembled));
                await b.SendAsync(new AckFrame(delivered.MessageId, delivered.Sequence), 53);
                StatusFrame status = await sender.ReceiveAsync<StatusFrame>();
                Assert.Equal((send.MessageId, FinalState.Delivered), (status.MessageId, status.State));
            }
        }
    }

    /// <summary>
    /// A station whose session has the smallest body, so that its parts are small, and its part size; registered, or (not
    /// <paramref name="awaitOk"/>) with its STATION_REGISTER sent and the OK left to read, since DELIVERs may come before it.
    /// </summary>
    private async Task<(WireClient Station, int PartSize)> SmallStationAsync(string station, string link, bool awaitOk = true)
    {
        WireClient client = await WireClient.ConnectAsync(silo.TcpEndPoint);
        try
        {
            WelcomeFrame welcome = await client.HelloAsync(SmallBody);
            var register = new StationRegisterFrame(station, [link]);
            await (awaitOk ? client.ExpectOkAsync(register, 2) : client.SendAsync(register, 2));
            return (client, (int)welcome.PartSize);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static SendFrame Parted(string link, byte[] payload, int partSize, StationSource? from)
    {
        uint count = (uint)((payload.Length + partSize - 1) / partSize);
        return new SendFrame(Guid.NewGuid(), link, "inbox", 60_000, false, from,
            new TransferInfo((ulong)payload.Length, (uint)partSize, count, SHA256.HashData(payload)), default);
    }

    /// <summary>Sends the parted SEND and its parts one at a time, each acknowledged, then awaits the ACCEPTED.</summary>
    private static async Task UploadAsync(WireClient sender, SendFrame send, byte[] payload, int partSize, uint correlation)
    {
        await sender.SendAsync(send, correlation);
        uint count = send.Transfer!.Value.PartCount;
        for (int i = 0; i < count; i++)
        {
            await sender.SendAsync(Part(send.MessageId, payload, partSize, i), correlation + 1 + (uint)i);
            ReceivedFrame answer = await sender.ReceiveAsync();
            if (answer.Type == FrameType.Error)
            {
                ErrorFrame error = answer.Decode<ErrorFrame>();
                Assert.Fail($"the parted SEND was refused: {(ushort)error.Code} {error.Message}");
            }

            PartAckFrame ack = answer.Decode<PartAckFrame>();
            Assert.Equal(((uint)i, ErrorCode.None), (ack.Index, ack.Result));
        }

        AcceptedFrame accepted = await sender.ReceiveAsync<AcceptedFrame>();
        Assert.Equal(send.MessageId, accepted.MessageId);
    }

    private static PartFrame Part(Guid id, byte[] payload, int partSize, int index)
    {
        int count = (payload.Length + partSize - 1) / partSize;
        int offset = index * partSize;
        byte[] bytes = payload[offset..Math.Min(payload.Length, offset + partSize)];
        return new PartFrame(id, (uint)index, (uint)count, Crc32C.Compute(bytes), new ReadOnlySequence<byte>(bytes));
    }

    private static (uint Index, ErrorCode Result) Result(PartAckFrame ack) => (ack.Index, ack.Result);
}
