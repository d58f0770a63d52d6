using System.Text;
using System.Text.Json;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Cli;

/// <summary>The tamtam commands run end to end against the scripted server.</summary>
public sealed class CliRunTests
{
    [Fact]
    public async Task Send_with_wait_prints_the_receipt_and_the_final_state()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        Task<int> running = console.RunAsync("send", "shop:orders", "hello", "--link", "billing", "--node", "cli-test", "--wait",
            "--ttl", "30s", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        HelloFrame hello = await peer.HandshakeAsync();
        Assert.StartsWith("tamtam-cli/", hello.Client.ToString(), StringComparison.Ordinal);
        (JoinFrame join, uint joinCorrelation) = await peer.ExpectAsync<JoinFrame>();
        Assert.Equal("billing", join.Link.ToString());
        Assert.Equal("cli-test", join.Node.ToString());
        await peer.OkAsync(joinCorrelation);
        (SendFrame send, uint sendCorrelation) = await peer.ExpectAsync<SendFrame>();
        Assert.Equal("shop", send.DestLink.ToString());
        Assert.Equal("orders", send.DestPort.ToString());
        Assert.Equal(30_000u, send.TtlMs);
        Assert.Equal("hello", Encoding.UTF8.GetString(send.Payload.FirstSpan));
        await peer.SendAsync(Frames.Accepted(send.MessageId, 5), sendCorrelation);
        await peer.SendAsync(Frames.Status(send.MessageId));
        await peer.ExpectAsync<StatusAckFrame>();
        (_, uint leaveCorrelation) = await peer.ExpectAsync<LeaveFrame>();
        await peer.OkAsync(leaveCorrelation);

        Assert.Equal(0, await running.Within());
        Assert.Equal([$"accepted {send.MessageId} sequence 5", $"DELIVERED {send.MessageId} confirmed 1/1"], console.OutLines);
        Assert.Empty(console.Error);
    }

    [Fact]
    public async Task Send_refused_prints_the_numbered_error_and_exits_non_zero()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        Task<int> running = console.RunAsync("send", "orders", "hello", "--link", "billing", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        (JoinFrame join, uint joinCorrelation) = await peer.ExpectAsync<JoinFrame>();
        Assert.Matches("^cli-[0-9a-f]{8}$", join.Node.ToString());
        await peer.OkAsync(joinCorrelation);
        await peer.ErrorAsync(ErrorCode.NoRoute, "no binding for orders", (await peer.ExpectAsync<SendFrame>()).Correlation);
        await peer.OkAsync((await peer.ExpectAsync<LeaveFrame>()).Correlation);

        Assert.Equal(1, await running.Within());
        Assert.Contains("error 300 NO_ROUTE: no binding for orders", console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_with_wait_exits_3_when_the_message_was_not_delivered()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        Task<int> running = console.RunAsync("send", "orders", "hello", "--link", "billing", "--wait", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        await peer.OkAsync((await peer.ExpectAsync<JoinFrame>()).Correlation);
        (SendFrame send, uint correlation) = await peer.ExpectAsync<SendFrame>();
        await peer.SendAsync(Frames.Accepted(send.MessageId, 1), correlation);
        await peer.SendAsync(Frames.Status(send.MessageId, FinalState.Expired, 1, 0, "deadline passed"));
        await peer.ExpectAsync<StatusAckFrame>();
        await peer.OkAsync((await peer.ExpectAsync<LeaveFrame>()).Correlation);

        Assert.Equal(3, await running.Within());
        Assert.Contains($"EXPIRED {send.MessageId} confirmed 0/1: deadline passed", console.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_with_lines_sends_each_stdin_line_as_a_message_in_order()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole(stdin: "one\ntwo\nthree\n");
        Task<int> running = console.RunAsync("send", "orders", "--lines", "--link", "billing", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        await peer.OkAsync((await peer.ExpectAsync<JoinFrame>()).Correlation);
        var sends = new List<(SendFrame Frame, uint Correlation)>();
        for (int i = 0; i < 3; i++)
        {
            sends.Add(await peer.ExpectAsync<SendFrame>());
        }

        Assert.Equal(["one", "two", "three"], sends.Select(s => Encoding.UTF8.GetString(s.Frame.Payload.FirstSpan)));
        for (int i = sends.Count - 1; i >= 0; i--)
        {
            await peer.SendAsync(Frames.Accepted(sends[i].Frame.MessageId, (ulong)i + 1), sends[i].Correlation);
        }

        await peer.OkAsync((await peer.ExpectAsync<LeaveFrame>()).Correlation);
        Assert.Equal(0, await running.Within());
        Assert.Equal(sends.Select((s, i) => $"accepted {s.Frame.MessageId} sequence {i + 1}"), console.OutLines);
    }

    [Fact]
    public async Task Send_without_text_sends_the_whole_stdin_as_one_message()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole(stdin: "line 1\nline 2\n");
        Task<int> running = console.RunAsync("send", "orders", "--link", "billing", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        await peer.OkAsync((await peer.ExpectAsync<JoinFrame>()).Correlation);
        (SendFrame send, uint correlation) = await peer.ExpectAsync<SendFrame>();
        await peer.SendAsync(Frames.Accepted(send.MessageId, 1), correlation);
        await peer.OkAsync((await peer.ExpectAsync<LeaveFrame>()).Correlation);

        Assert.Equal(0, await running.Within());
        Assert.Equal("line 1\nline 2\n", Encoding.UTF8.GetString(send.Payload.FirstSpan));
    }

    [Fact]
    public async Task Listen_prints_each_message_before_acknowledging_it_and_stops_after_count()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        Task<int> running = console.RunAsync("listen", "orders", "--link", "billing", "--node", "worker", "--mode", "group",
            "--count", "2", "--format", "json", "--leave", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        await peer.OkAsync((await peer.ExpectAsync<JoinFrame>()).Correlation);
        (BindFrame bind, uint bindCorrelation) = await peer.ExpectAsync<BindFrame>();
        Assert.Equal(PortMode.Group, bind.Mode);
        Assert.Equal("orders", bind.Port.ToString());
        await peer.OkAsync(bindCorrelation);

        Guid first = Guid.CreateVersion7();
        Guid second = Guid.CreateVersion7();
        await peer.SendAsync(Frames.Deliver(first, 1, "multi\nline"));
        Assert.Equal(first, (await peer.ExpectAsync<AckFrame>()).Frame.MessageId);

        // The ACK left only after the line was written and flushed.
        string[] printed = console.OutLines;
        Assert.Single(printed);
        using (JsonDocument json = JsonDocument.Parse(printed[0]))
        {
            Assert.Equal(first, json.RootElement.GetProperty("id").GetGuid());
            Assert.Equal("shop:web-1", json.RootElement.GetProperty("source").GetString());
            Assert.Equal("multi\nline", json.RootElement.GetProperty("text").GetString());
            Assert.Equal("multi\nline"u8.ToArray(), json.RootElement.GetProperty("payload").GetBytesFromBase64());
        }

        await peer.SendAsync(Frames.Deliver(second, 2, "two"));
        Assert.Equal(second, (await peer.ExpectAsync<AckFrame>()).Frame.MessageId);
        await peer.OkAsync((await peer.ExpectAsync<LeaveFrame>()).Correlation);

        Assert.Equal(0, await running.Within());
        Assert.Equal(2, console.OutLines.Length);
    }

    [Fact]
    public async Task Listen_stops_cleanly_when_cancelled_and_stays_a_member()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        using var interrupt = new CancellationTokenSource();
        Task<int> running = TamTam.Cli.TamTamCommand.Create(console.Console)
            .Parse(["listen", "orders", "--link", "billing", "--node", "worker", "--server", server.Uri.ToString()])
            .InvokeAsync(console.Console.InvocationConfiguration(), interrupt.Token);

        await using ScriptedPeer peer = await server.AcceptAsync();
        await peer.HandshakeAsync();
        await peer.OkAsync((await peer.ExpectAsync<JoinFrame>()).Correlation);
        await peer.OkAsync((await peer.ExpectAsync<BindFrame>()).Correlation);
        await peer.SendAsync(Frames.Deliver(Guid.CreateVersion7(), 1, "only"));
        await peer.ExpectAsync<AckFrame>();

        // Without --leave the node stays a member: its inbox waits for it to come back.
        await interrupt.CancelAsync();

        Assert.Equal(0, await running.Within());
        Assert.Equal(["only"], console.OutLines);
    }
}
