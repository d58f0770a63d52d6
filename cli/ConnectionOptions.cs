using System.CommandLine;
using System.Security.Cryptography;
using TamTam.Client;

namespace TamTam.Cli;

/// <summary>The options every command that talks to a server shares: where, which link, which node.</summary>
internal sealed class ConnectionOptions
{
    public const string ServerVariable = "TAMTAM_SERVER";
    public const string LinkVariable = "TAMTAM_LINK";
    public const string DefaultServer = "tamtam://127.0.0.1:7420";

    private readonly CliConsole _console;

    private ConnectionOptions(CliConsole console, Option<string> server, Option<string> link, Option<string> node)
    {
        _console = console;
        Server = server;
        Link = link;
        Node = node;
    }

    public Option<string> Server { get; }

    public Option<string> Link { get; }

    public Option<string> Node { get; }

    /// <param name="console">Where the environment defaults come from.</param>
    /// <param name="nodeRequired">True when the node's name matters (a listener is found by it); otherwise a random <c>cli-…</c> name.</param>
    public static ConnectionOptions Create(CliConsole console, bool nodeRequired)
    {
        var server = new Option<string>("--server", "-s")
        {
            Description = $"The interchange: tamtam://host:port, unix:///path or ws://host:port/ws [env {ServerVariable}]",
            DefaultValueFactory = _ => ServerFromEnvironment(console),
        };
        var link = new Option<string>("--link", "-l")
        {
            Description = $"The link to join (required) [env {LinkVariable}]",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(LinkVariable) ?? string.Empty,
        };

        var node = new Option<string>("--node", "-n")
        {
            Description = nodeRequired ? "This node's name in the link (required)" : "This node's name in the link (default: cli-<random>)",
            Required = nodeRequired,
        };
        return new ConnectionOptions(console, server, link, node);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Link);
        command.Options.Add(Node);
        command.Validators.Add(result =>
        {
            // Command validators run before option defaults are filled in, so the environment is asked here too.
            string server = result.GetValue(Server) is { Length: > 0 } given ? given : ServerFromEnvironment(_console);
            if (!Uri.TryCreate(server, UriKind.Absolute, out _))
            {
                result.AddError($"--server \"{server}\" is not a URI such as {DefaultServer}");
            }

            if (string.IsNullOrEmpty(result.GetValue(Link)) && string.IsNullOrEmpty(_console.GetEnvironmentVariable(LinkVariable)))
            {
                result.AddError($"--link is required (or set {LinkVariable})");
            }
        });
    }

    /// <summary>The node name given, or a fresh <c>cli-xxxxxxxx</c> for a one-off sender.</summary>
    public string NodeName(ParseResult parse) =>
        parse.GetValue(Node) is { Length: > 0 } given ? given : $"cli-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    public TamTamClientOptions ClientOptions(ParseResult parse) => new()
    {
        Uri = new Uri(parse.GetValue(Server)!),
        ClientName = $"tamtam-cli/{typeof(ConnectionOptions).Assembly.GetName().Version?.ToString(3)}",
    };

    private static string ServerFromEnvironment(CliConsole console) =>
        console.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultServer;
}
