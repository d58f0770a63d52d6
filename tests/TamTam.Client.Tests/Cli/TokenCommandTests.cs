using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TamTam.Cli;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Cli;

/// <summary>
/// <c>tamtam token</c> mints what docs/security.md describes (checked here with nothing but HMAC-SHA256 and a JSON
/// parser, as another language would), and <c>--token</c> carries a token into HELLO.
/// </summary>
public sealed class TokenCommandTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Token_prints_a_signed_token_whose_claims_are_the_options()
    {
        using var console = new FakeConsole();

        int exit = await RunAsync(console, "token", "--key", Convert.ToBase64String(Key), "--kid", "k1", "--link", "billing", "--node", "worker-1",
            "--bind", "invoices/**", "--send", "orders", "--send", "shop:orders/*", "--ttl", "24h");

        Assert.Equal(0, exit);
        string token = Assert.Single(console.OutLines);
        using JsonDocument claims = Verify(token);
        JsonElement root = claims.RootElement;
        Assert.Equal("k1", root.GetProperty("kid").GetString());
        Assert.Equal("billing", root.GetProperty("link").GetString());
        Assert.Equal("worker-1", root.GetProperty("node").GetString());
        Assert.Equal(["invoices/**"], root.GetProperty("bind").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["orders", "shop:orders/*"], root.GetProperty("send").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Now.AddHours(24).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
        Assert.Contains("link billing", console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_with_json_prints_the_token_and_its_claims_as_one_object()
    {
        using var console = new FakeConsole();

        int exit = await RunAsync(console, "token", "--key", Convert.ToBase64String(Key), "--kid", "k1", "--link", "billing", "--bind", "invoices/**",
            "--ttl", "1h", "--json");

        Assert.Equal(0, exit);
        using JsonDocument output = JsonDocument.Parse(Assert.Single(console.OutLines));
        JsonElement root = output.RootElement;
        using JsonDocument claims = Verify(root.GetProperty("token").GetString()!);
        Assert.Equal("billing", claims.RootElement.GetProperty("link").GetString());
        Assert.Equal("k1", root.GetProperty("kid").GetString());
        Assert.Equal(["invoices/**"], root.GetProperty("bind").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Now.AddHours(1), root.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Empty(console.Error);
    }

    [Fact]
    public async Task Token_takes_the_key_from_the_environment_and_defaults_to_one_hour_without_node_bind_or_send()
    {
        using var console = new FakeConsole(environment: new() { ["TAMTAM_TOKEN_KEY"] = Convert.ToBase64String(Key) });

        int exit = await RunAsync(console, "token", "--kid", "k1", "--link", "*");

        Assert.Equal(0, exit);
        using JsonDocument claims = Verify(Assert.Single(console.OutLines));
        JsonElement root = claims.RootElement;
        Assert.Equal("*", root.GetProperty("link").GetString());
        Assert.False(root.TryGetProperty("node", out _));
        Assert.False(root.TryGetProperty("bind", out _));
        Assert.False(root.TryGetProperty("send", out _));
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
    }

    [Theory]
    [InlineData("--kid", "k1", "--link", "billing")]
    [InlineData("--key", "AAAA", "--kid", "k1", "--link", "billing")]
    [InlineData("--key", "not base64", "--kid", "k1", "--link", "billing")]
    [InlineData("--key", "KEY", "--kid", "k 1", "--link", "billing")]
    [InlineData("--key", "KEY", "--kid", "k1", "--link", "bill ing")]
    [InlineData("--key", "KEY", "--kid", "k1", "--link", "billing", "--bind", "a/**/b")]
    [InlineData("--key", "KEY", "--kid", "k1", "--link", "billing", "--send", "a:b:c")]
    [InlineData("--key", "KEY", "--kid", "k1", "--link", "billing", "--ttl", "soon")]
    public async Task Token_refuses_bad_input_without_printing_a_token(params string[] arguments)
    {
        using var console = new FakeConsole();
        string[] args = ["token", .. arguments.Select(a => a == "KEY" ? Convert.ToBase64String(Key) : a)];

        int exit = await RunAsync(console, args);

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain(console.OutLines, line => line.StartsWith("tt1.", StringComparison.Ordinal));
        Assert.NotEmpty(console.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_carries_the_token_in_hello_from_the_option_or_the_environment(bool fromEnvironment)
    {
        const string Token = "tt1.e30.c2lnbmF0dXJl";
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole(environment: fromEnvironment ? new() { ["TAMTAM_TOKEN"] = Token } : null);
        string[] args = ["send", "orders", "hi", "--link", "billing", "--server", server.Uri.ToString()];
        Task<int> running = console.RunAsync(fromEnvironment ? args : [.. args, "--token", Token]);

        await using ScriptedPeer peer = await server.AcceptAsync();
        HelloFrame hello = await peer.HandshakeAsync();
        Assert.Equal(Token, Encoding.ASCII.GetString(hello.AuthToken.Span));
        await peer.ErrorAsync(TamTam.Protocol.ErrorCode.Forbidden, "not in the token", (await peer.ExpectAsync<JoinFrame>()).Correlation);

        Assert.Equal(1, await running.Within());
        Assert.Contains("error 203 FORBIDDEN: not in the token", console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_hello_is_anonymous()
    {
        await using ScriptedServer server = ScriptedServer.Start();
        using var console = new FakeConsole();
        Task<int> running = console.RunAsync("send", "orders", "hi", "--link", "billing", "--server", server.Uri.ToString());

        await using ScriptedPeer peer = await server.AcceptAsync();
        HelloFrame hello = await peer.HandshakeAsync();
        Assert.True(hello.AuthToken.IsEmpty);
        await peer.ErrorAsync(TamTam.Protocol.ErrorCode.Forbidden, "no", (await peer.ExpectAsync<JoinFrame>()).Correlation);
        Assert.Equal(1, await running.Within());
    }

    [Fact]
    public void A_cacert_that_cannot_be_read_is_a_usage_error()
    {
        using var console = new FakeConsole();

        var parse = TamTamCommand.Create(console.Console).Parse(
            ["listen", "orders", "--link", "billing", "--node", "n", "--cacert", Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.pem")]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("--cacert", StringComparison.Ordinal));
    }

    private static Task<int> RunAsync(FakeConsole console, params string[] args) =>
        TamTamCommand.Create(console.Console, new FixedClock(Now)).Parse(args).InvokeAsync(console.Console.InvocationConfiguration());

    /// <summary>Checks the signature as docs/security.md specifies it and returns the claims.</summary>
    private static JsonDocument Verify(string token)
    {
        string[] parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Equal("tt1", parts[0]);
        byte[] mac = HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
        Assert.Equal(Base64Url.EncodeToString(mac), parts[2]);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
