using System.Buffers;
using TamTam.Gateway.Security;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// A session is held to its token: JOIN, BIND, SEND and NODES outside it get 203 (not fatal: that one request
/// is refused, the session goes on), and what the token allows works.
/// </summary>
[Collection(SecureSiloCollection.Name)]
public sealed class AuthorizationTests(SecureSiloFixture silo)
{
    [Fact]
    public async Task Join_outside_the_token_link_gets_203_and_the_allowed_link_joins()
    {
        string link = NewLink();
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token(link));

        await client.SendAsync(new JoinFrame(NewLink(), "n1"), correlation: 10);
        ErrorFrame refusal = await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 10, fatal: false);
        Assert.Contains("link", refusal.Message.ToString(), StringComparison.Ordinal);

        await client.SendAsync(new JoinFrame(link, "n1"), correlation: 11);
        await client.ExpectOkAsync(11);
    }

    [Fact]
    public async Task Join_under_another_node_name_than_the_token_names_gets_203()
    {
        string link = NewLink();
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token(link, node: "worker-1"));

        await client.SendAsync(new JoinFrame(link, "worker-2"), correlation: 20);
        ErrorFrame refusal = await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 20, fatal: false);
        Assert.Contains("node", refusal.Message.ToString(), StringComparison.Ordinal);

        await client.SendAsync(new JoinFrame(link, "worker-1"), correlation: 21);
        await client.ExpectOkAsync(21);
    }

    [Fact]
    public async Task A_wildcard_link_token_joins_any_link()
    {
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("*"));

        await client.SendAsync(new JoinFrame(NewLink(), "anywhere"), correlation: 30);
        await client.ExpectOkAsync(30);
    }

    [Fact]
    public async Task Bind_outside_the_token_gets_203_and_allowed_ports_bind()
    {
        string link = NewLink();
        await using TlsWireClient client = await JoinedAsync(link, silo.Token(link, bind: ["invoices", "reports/**"]));

        await client.SendAsync(new BindFrame(PortMode.Unicast, "orders", Subtree: false), correlation: 40);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 40, fatal: false);

        // "invoices" covers that one port, not the subtree below it.
        await client.SendAsync(new BindFrame(PortMode.Unicast, "invoices", Subtree: true), correlation: 41);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 41, fatal: false);
        await client.SendAsync(new BindFrame(PortMode.Unicast, "invoices/eu", Subtree: false), correlation: 42);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 42, fatal: false);

        await client.SendAsync(new BindFrame(PortMode.Unicast, "invoices", Subtree: false), correlation: 43);
        await client.ExpectOkAsync(43);
        await client.SendAsync(new BindFrame(PortMode.Group, "reports/eu", Subtree: true), correlation: 44);
        await client.ExpectOkAsync(44);
        await client.SendAsync(new BindFrame(PortMode.Group, "reports", Subtree: false), correlation: 45);
        await client.ExpectOkAsync(45);
    }

    [Fact]
    public async Task A_send_outside_the_token_gets_203_for_that_send_only()
    {
        string link = NewLink();
        await using TlsWireClient client = await JoinedAsync(link, silo.Token(link, bind: ["in/**"], send: ["in/*", "shop:orders"]));
        await client.SendAsync(new BindFrame(PortMode.Unicast, "in/x", Subtree: false), correlation: 50);
        await client.ExpectOkAsync(50);

        // One write, so one read and one batch: the refused SENDs sit between allowed ones.
        byte[] batch =
        [
            .. FrameCodec.ToArray(Send("", "in/x"), correlation: 51),
            .. FrameCodec.ToArray(Send("", "out"), correlation: 52),
            .. FrameCodec.ToArray(Send(NewLink(), "in/x"), correlation: 53),
            .. FrameCodec.ToArray(Send("", "in", subtree: true), correlation: 54),
            .. FrameCodec.ToArray(Send(link, "in/x"), correlation: 55),
        ];
        await client.SendRawAsync(batch);

        Assert.Equal(FrameType.Accepted, (await client.ReceiveReplyAsync(51)).Type);
        ErrorFrame refusal = await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 52, fatal: false);
        Assert.Contains("out", refusal.Message.ToString(), StringComparison.Ordinal);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 53, fatal: false);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 54, fatal: false);
        Assert.Equal(FrameType.Accepted, (await client.ReceiveReplyAsync(55)).Type);
        await client.AssertAliveAsync();
    }

    [Fact]
    public async Task A_token_without_send_patterns_sends_nothing()
    {
        string link = NewLink();
        await using TlsWireClient client = await JoinedAsync(link, silo.Token(link, bind: ["in"]));

        await client.SendAsync(Send("", "in"), correlation: 60);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 60, fatal: false);
    }

    [Fact]
    public async Task Nodes_of_a_link_the_token_does_not_reach_gets_203()
    {
        string link = NewLink();
        string shop = NewLink();
        await using TlsWireClient client = await JoinedAsync(link, silo.Token(link, send: [$"{shop}:orders"]));

        await client.SendAsync(new NodesFrame(NewLink()), correlation: 70);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 70, fatal: false);

        await client.SendAsync(new NodesFrame(shop), correlation: 71);
        Assert.Equal(FrameType.NodesReport, (await client.ReceiveReplyAsync(71)).Type);
        await client.SendAsync(new NodesFrame(Utf8Text.Empty), correlation: 72);
        NodesReportFrame own = (await client.ReceiveReplyAsync(72)).Decode<NodesReportFrame>();
        Assert.Contains(own.Nodes.ToArray(), n => n.Node.ToString() == "n");
    }

    [Fact]
    public async Task A_send_before_join_is_206_even_when_the_token_would_refuse_it_too()
    {
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token(NewLink()));

        await client.SendAsync(Send(NewLink(), "orders"), correlation: 90);

        await client.ExpectErrorAsync(ErrorCode.NotJoined, correlation: 90, fatal: false);
    }

    [Fact]
    public async Task Station_register_is_allowed_only_for_the_station_and_links_the_token_names()
    {
        string link = NewLink();
        string token = silo.Issuer.Issue(new AccessToken
        {
            Link = link,
            Station = "edge-sec",
            Send = ["*:**"],
            ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        });
        await using (TlsWireClient station = await TlsWireClient.ConnectWelcomedAsync(silo, token))
        {
            await station.SendAsync(new StationRegisterFrame("other-name", [Utf8Text.From(link)]), correlation: 81);
            await station.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 81, fatal: false);
            await station.SendAsync(new StationRegisterFrame("edge-sec", [Utf8Text.From(link), Utf8Text.From(NewLink())]), correlation: 82);
            await station.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 82, fatal: false);

            await station.SendAsync(new StationRegisterFrame("edge-sec", [Utf8Text.From(link)]), correlation: 83);
            await station.ExpectOkAsync(83);
        }

        // The station leaves with its connection: no route of it is left for the tests after this one.
        await using TlsWireClient watcher = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("*"));
        using var deadline = new CancellationTokenSource(SecureSiloFixture.Timeout);
        for (uint correlation = 84; ; correlation++)
        {
            await watcher.SendAsync(new RoutesFrame(), correlation);
            if ((await watcher.ReceiveAsync<RoutesReportFrame>()).Routes.Count == 0)
            {
                break;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task Station_register_under_a_token_without_a_station_claim_is_203()
    {
        await using TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, silo.Token("*"));

        await client.SendAsync(new StationRegisterFrame("station-1", [Utf8Text.From(NewLink())]), correlation: 80);
        await client.ExpectErrorAsync(ErrorCode.Forbidden, correlation: 80, fatal: false);
        await client.AssertAliveAsync();
    }

    private async Task<TlsWireClient> JoinedAsync(string link, string token)
    {
        TlsWireClient client = await TlsWireClient.ConnectWelcomedAsync(silo, token);
        await client.SendAsync(new JoinFrame(link, "n"), correlation: 2);
        await client.ExpectOkAsync(2);
        return client;
    }

    private static SendFrame Send(string link, string port, bool subtree = false) =>
        new(Guid.CreateVersion7(), link, port, 0, subtree, null, null, new ReadOnlySequence<byte>("hi"u8.ToArray()));

    private static string NewLink() => $"sec-{Guid.NewGuid():N}"[..20];
}
