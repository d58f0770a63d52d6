using System.CommandLine;
using TamTam.Cli;

namespace TamTam.Client.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("orders", null, "orders")]
    [InlineData("orders/eu/new", null, "orders/eu/new")]
    [InlineData("shop:orders/eu", "shop", "orders/eu")]
    public void Address_is_port_or_link_colon_port(string text, string? link, string port)
    {
        Assert.True(Address.TryParse(text, out Address? address, out _));
        Assert.Equal(new Address(link, port), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData(":orders")]
    [InlineData("shop:")]
    [InlineData("a:b:c")]
    public void Malformed_address_is_refused(string text)
    {
        Assert.False(Address.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("45", 45_000)]
    [InlineData("00:01:30", 90_000)]
    public void Durations_parse_as_people_type_them(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("0")]
    public void Bad_durations_are_refused(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void Send_parses_address_text_and_options()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(
            ["send", "shop:orders", "hello", "--link", "billing", "--node", "me", "--ttl", "30s", "--wait", "--server", "tamtam://10.1.2.3:9000"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(new Address("shop", "orders"), parse.GetValue<Address>("address"));
        Assert.Equal("hello", parse.GetValue<string?>("text"));
        Assert.Equal("billing", parse.GetValue<string>("--link"));
        Assert.Equal("me", parse.GetValue<string>("--node"));
        Assert.Equal(TimeSpan.FromSeconds(30), parse.GetValue<TimeSpan?>("--ttl"));
        Assert.True(parse.GetValue<bool>("--wait"));
        Assert.Equal("tamtam://10.1.2.3:9000", parse.GetValue<string>("--server"));
    }

    [Fact]
    public void Send_defaults_server_and_a_random_cli_node()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["send", "orders", "--link", "billing"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("tamtam://127.0.0.1:7420", parse.GetValue<string>("--server"));
        Assert.Null(parse.GetValue<string>("--node"));
        Assert.Null(parse.GetValue<string?>("text"));
    }

    [Fact]
    public void Link_and_server_come_from_the_environment_when_not_given()
    {
        using var console = new FakeConsole(environment: new() { ["TAMTAM_LINK"] = "from-env", ["TAMTAM_SERVER"] = "unix:///run/tamtam.sock" });
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["send", "orders", "x"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("from-env", parse.GetValue<string>("--link"));
        Assert.Equal("unix:///run/tamtam.sock", parse.GetValue<string>("--server"));
    }

    [Fact]
    public void Send_without_a_link_is_a_usage_error()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["send", "orders", "x"]);

        Assert.Contains(parse.Errors, error => error.Message.Contains("--link is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Server_may_name_several_servers_of_a_cluster_given_or_from_the_environment()
    {
        using var given = new FakeConsole();
        Assert.Empty(TamTamCommand.Create(given.Console).Parse(["send", "orders", "x", "--link", "b", "--server", "tamtam://10.0.0.1:7420,10.0.0.2:7421"]).Errors);

        using var fromEnvironment = new FakeConsole(environment: new() { ["TAMTAM_SERVER"] = "tamtams://a:7421,b:7421" });
        Assert.Empty(TamTamCommand.Create(fromEnvironment.Console).Parse(["send", "orders", "x", "--link", "b"]).Errors);

        Assert.Equal([new Uri("tamtam://10.0.0.1:7420"), new Uri("tamtam://10.0.0.2:7421")],
            ConnectionOptions.ParseServers("tamtam://10.0.0.1:7420,10.0.0.2:7421", out _));
        Assert.Null(ConnectionOptions.ParseServers("tamtam://a:7420,,b", out string? error));
        Assert.Contains("--server", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_that_is_not_a_URI_is_a_usage_error_whether_given_or_from_the_environment()
    {
        using var given = new FakeConsole();
        Assert.Contains(TamTamCommand.Create(given.Console).Parse(["send", "orders", "x", "--link", "b", "--server", "nowhere"]).Errors,
            error => error.Message.Contains("--server", StringComparison.Ordinal));

        using var fromEnvironment = new FakeConsole(environment: new() { ["TAMTAM_SERVER"] = "nowhere" });
        Assert.Contains(TamTamCommand.Create(fromEnvironment.Console).Parse(["send", "orders", "x", "--link", "b"]).Errors,
            error => error.Message.Contains("--server", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a:b:c")]
    [InlineData("shop:")]
    public void Send_with_a_malformed_address_is_a_usage_error(string address)
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["send", address, "x", "--link", "billing"]);

        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Send_with_a_bad_ttl_is_a_usage_error()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["send", "orders", "x", "--link", "billing", "--ttl", "soon"]);

        Assert.Contains(parse.Errors, error => error.Message.Contains("--ttl", StringComparison.Ordinal));
    }

    [Fact]
    public void Listen_parses_mode_subtree_count_and_format()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(
            ["listen", "orders/eu", "--link", "billing", "--node", "worker", "--mode", "group", "--subtree", "--count", "5", "--format", "json"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("orders/eu", parse.GetValue<string>("port"));
        Assert.Equal(Protocol.PortMode.Group, parse.GetValue<Protocol.PortMode>("--mode"));
        Assert.True(parse.GetValue<bool>("--subtree"));
        Assert.Equal(5, parse.GetValue<int?>("--count"));
        Assert.Equal(TamTam.Cli.Output.MessageFormat.Json, parse.GetValue<TamTam.Cli.Output.MessageFormat>("--format"));
    }

    [Fact]
    public void Listen_defaults_to_unicast_text_forever()
    {
        using var console = new FakeConsole();
        ParseResult parse = TamTamCommand.Create(console.Console).Parse(["listen", "orders", "--link", "billing", "--node", "worker"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(Protocol.PortMode.Unicast, parse.GetValue<Protocol.PortMode>("--mode"));
        Assert.Equal(TamTam.Cli.Output.MessageFormat.Text, parse.GetValue<TamTam.Cli.Output.MessageFormat>("--format"));
        Assert.Null(parse.GetValue<int?>("--count"));
    }

    [Theory]
    [InlineData("listen", "orders", "--link", "billing")]
    [InlineData("listen", "orders", "--link", "billing", "--node", "w", "--count", "0")]
    [InlineData("listen", "orders", "--link", "billing", "--node", "w", "--mode", "sideways")]
    [InlineData("listen", "orders", "--link", "billing", "--node", "w", "--format", "xml")]
    public void Listen_usage_errors_are_reported(params string[] args)
    {
        using var console = new FakeConsole();
        Assert.NotEmpty(TamTamCommand.Create(console.Console).Parse(args).Errors);
    }

    [Fact]
    public async Task Usage_error_exits_non_zero_and_explains_on_stderr()
    {
        using var console = new FakeConsole();

        int exitCode = await console.RunAsync("send", "orders", "x");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--link is required", console.Error, StringComparison.Ordinal);
        // The usage that follows is written whole: rendering it asks every option's default, out of any parse.
        Assert.DoesNotContain("Exception", console.Error + console.Out, StringComparison.Ordinal);
        Assert.Contains("--server", console.Out + console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_that_run_until_stopped_reconnect_for_as_long_as_they_run_and_the_others_as_the_sdk_does()
    {
        using var console = new FakeConsole();
        var connection = ConnectionOptions.Create(console.Console, nodeRequired: true);
        var command = new Command("listen");
        connection.AddTo(command);
        ParseResult parse = command.Parse(["--server", "tamtam://a:7420,b:7420", "--link", "billing", "--node", "worker"]);

        Assert.Empty(parse.Errors);
        TamTamClientOptions service = connection.ServiceClientOptions(parse);
        Assert.Equal(int.MaxValue, service.Reconnect.MaxAttempts);
        Assert.True(service.Reconnect.Enabled);
        Assert.Equal(2, service.Endpoints!.Count);
        Assert.Equal(new ReconnectOptions().MaxAttempts, connection.ClientOptions(parse).Reconnect.MaxAttempts);
        Assert.Equal(connection.ClientOptions(parse).Endpoints, service.Endpoints);
    }
}
