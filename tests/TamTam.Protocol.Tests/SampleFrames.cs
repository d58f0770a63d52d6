using System.Buffers;
using TamTam.Protocol.Frames;

namespace TamTam.Protocol.Tests;

/// <summary>One valid value of every frame type, built in C# (independently of the vectors).</summary>
internal static class SampleFrames
{
    private static readonly Guid Id = Guid.Parse("0190a5e2-7c4b-7d2e-9f10-3a4b5c6d7e8f");
    private static readonly byte[] Digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    public static ReadOnlySequence<byte> Bytes(int length) =>
        new(Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray());

    public static IEnumerable<object> All()
    {
        yield return new HelloFrame(1, 1, 1_048_576, 30_000, "tamtam-dotnet/0.1.0", new byte[] { 1, 2, 3 }, ReadOnlyMemory<byte>.Empty);
        yield return new WelcomeFrame(1, 1_048_576, 1024, 30_000, 120_000, 1_048_576, Id, new byte[] { 9, 9 }, "tamtam-cloud", true);
        yield return new PingFrame(1_795_400_000_000_000);
        yield return new PongFrame(1_795_400_000_000_000, 1_795_400_000_000_123);
        yield return new ErrorFrame(ErrorCode.UnknownType, "frame type 0x7f is not defined", false);
        yield return new OkFrame();
        yield return new HealthFrame();
        yield return new HealthReportFrame(HealthState.Degraded, [new HealthFigure("silo.sessions", 3), new HealthFigure("session.rtt_us", -1)]);
        yield return new JoinFrame("zürich", "node-1");
        yield return new LeaveFrame();
        yield return new BindFrame(PortMode.Group, "orders/eu", true);
        yield return new UnbindFrame("orders/eu", true);
        yield return new SendFrame(Id, "", "orders/eu/new", 5_000, false, null, null, Bytes(256));
        yield return new SendFrame(Id, "billing", "invoices", 0, true, new StationSource("edge", "n1"), new TransferInfo(3_000_000, 1_048_576, 3, Digest), default);
        yield return new SendFrame(Id, "", "orders", 0, false, null, null, Bytes(8), new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        yield return new AcceptedFrame(Id, 42, 1_795_400_000_000_000, false);
        yield return new DeliverFrame(Id, 42, 7, "shop", "web-1", "billing", "invoices", 2, 0, true, null, Bytes(256));
        yield return new DeliverFrame(Id, 43, 8, "shop", "web-1", "billing", "invoices", 1, 0, false, null, Bytes(16),
            new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        yield return new SendFrame(Id, "", "echo", 5_000, false, null, null, Bytes(16)) { Reply = new ReplyInfo(Id, "", "_reply/web-1") };
        yield return new SendFrame(Id, "shop", "_reply/web-1", 0, false, null, null, Bytes(16)) { Reply = ReplyInfo.To(Id) };
        yield return new DeliverFrame(Id, 43, 1, "shop", "web-1", "billing", "echo", 1, 0, false, null, Bytes(16)) { Reply = new ReplyInfo(Id, "shop", "_reply/web-1") };
        yield return new SendFrame(Id, "", "echo", 5_000, false, null, null, Bytes(16), new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")) { Reply = new ReplyInfo(Id, "", "_reply/web-1") };
        yield return new AckFrame(Id, 42);
        yield return new NackFrame(Id, 42, 17, "busy", true);
        yield return new StatusFrame(Id, FinalState.Partial, 3, 2, 1_795_400_000_000_000, "one receiver rejected");
        yield return new StatusAckFrame(Id);
        yield return new PartFrame(Id, 1, 3, 0xDEADBEEF, Bytes(100));
        yield return new PartAckFrame(Id, 1, ErrorCode.BadChecksum);
        yield return new StreamFrame(Id, "", "metrics/cpu", 3, 0, true, false, Bytes(64));
        yield return new StreamAckFrame(Id, 99);
        yield return new CancelFrame("", Id);
        yield return new MessageFrame("orders", Id);
        yield return new MessageReportFrame(Id, 42, "shop", "web-1", "orders", "orders/eu/new", 9, 1, 2, 3, "canceled",
            [new RecipientEntry("billing", DeliveryOutcome.Canceled, 1)], Truncated: true);
        yield return new AuditFrame("orders", 17, 100);
        yield return new AuditReportFrame(5, [new AuditEntry(Id, 1, "shop", "web-1", "new", 10, FinalState.Delivered, 1, 1, 20)]);
        yield return new NodesFrame("");
        yield return new NodesReportFrame([new NodeEntry("a", true, 120, 0), new NodeEntry("b", false, 0, 5)], true);
        yield return new LinksFrame();
        yield return new LinksReportFrame([new LinkEntry("billing", 2, 1000)], false);
        yield return new StationRegisterFrame("edge", ["edge-a", "edge-b"]);
        yield return new StationOfferFrame(Id, "shop", "edge-a", "inbox", 4, 256);
        yield return new StationClaimFrame(Id);
        yield return new StationPassFrame(Id, 3);
        yield return new RoutesFrame();
        yield return new RoutesReportFrame([new RouteEntry("edge-a", "edge", RouteLearning.Claimed, 1_767_225_600_000_000)], false);
    }

    /// <summary>All samples back to back, each with its own correlation.</summary>
    public static byte[] Stream()
    {
        var output = new ArrayBufferWriter<byte>();
        uint correlation = 1;
        foreach (object frame in All())
        {
            output.Write(FrameCatalog.Encode(frame, correlation++));
        }

        return output.WrittenSpan.ToArray();
    }
}
