using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TamTam.Cli.Configuration;
using TamTam.Client;

namespace TamTam.Cli;

/// <summary>
/// The options every command that talks to a server shares: where, which link, which node, with which access
/// token, trusting which certificate.
/// </summary>
internal sealed class ConnectionOptions
{
    public const string ServerVariable = "TAMTAM_SERVER";
    public const string LinkVariable = "TAMTAM_LINK";
    public const string TokenVariable = "TAMTAM_TOKEN";
    public const string CaCertVariable = "TAMTAM_CACERT";
    public const string DefaultServer = "tamtam://127.0.0.1:7420";

    private readonly CliConsole _console;
    private readonly bool _nodeRequired;

    private ConnectionOptions(CliConsole console, bool nodeRequired, Option<string> server, Option<string> link, Option<string> node, Option<string> token,
        Option<string> caCert)
    {
        _console = console;
        _nodeRequired = nodeRequired;
        Server = server;
        Link = link;
        Node = node;
        Token = token;
        CaCert = caCert;
    }

    public Option<string> Server { get; }

    public Option<string> Link { get; }

    public Option<string> Node { get; }

    public Option<string> Token { get; }

    public Option<string> CaCert { get; }

    /// <param name="console">Where the environment and the config file are found.</param>
    /// <param name="nodeRequired">True when the node's name matters (a listener is found by it); otherwise a random <c>cli-…</c> name.</param>
    public static ConnectionOptions Create(CliConsole console, bool nodeRequired)
    {
        var server = new Option<string>("--server", "-s")
        {
            Description = $"The interchange: tamtam://host:port, tamtams://host:port (TLS), unix:///path, ws://host:port/ws or wss://host:port/ws; "
                + $"several servers of one cluster separated by commas (tamtam://a:7420,b:7420), tried in turn [env {ServerVariable}; config server]",
        };
        var link = new Option<string>("--link", "-l") { Description = $"The link to join (required) [env {LinkVariable}; config link; tamtam join]" };
        var node = new Option<string>("--node", "-n")
        {
            Description = (nodeRequired ? "This node's name in the link (required)" : "This node's name in the link (default: cli-<random>)") +
                $" [env {Setting.Node.Variable}; config node; tamtam join]",
        };
        var token = new Option<string>("--token")
        {
            Description = $"An access token (tamtam token) sent in HELLO; none: anonymous [env {TokenVariable}; prefer it to keep the token out of shell history; config token]",
        };
        var caCert = new Option<string>("--cacert")
        {
            Description = $"For tamtams:// and wss://: a certificate file (PEM or DER) the server's certificate must chain to, instead of the system's roots [env {CaCertVariable}; config cacert]",
        };
        var options = new ConnectionOptions(console, nodeRequired, server, link, node, token, caCert);
        server.DefaultValueFactory = result => options.Effective(result, Setting.Server) ?? DefaultServer;
        link.DefaultValueFactory = result => options.Effective(result, Setting.Link) ?? string.Empty;
        node.DefaultValueFactory = result => options.Effective(result, Setting.Node)!;
        token.DefaultValueFactory = result => options.Effective(result, Setting.Token) ?? string.Empty;
        caCert.DefaultValueFactory = result => options.Effective(result, Setting.CaCert) ?? string.Empty;
        return options;
    }

    /// <param name="command">The command to add the options to.</param>
    /// <param name="withLink">False for commands that take the link as an argument (<c>put</c>, <c>get</c>) or need none.</param>
    /// <param name="withNode">False for commands that only ask the server (<c>links</c>, <c>health</c>, <c>ping</c>): they never JOIN.</param>
    public void AddTo(Command command, bool withLink = true, bool withNode = true)
    {
        command.Options.Add(Server);
        if (withLink)
        {
            command.Options.Add(Link);
        }

        if (withNode)
        {
            command.Options.Add(Node);
        }

        command.Options.Add(Token);
        command.Options.Add(CaCert);
        command.Validators.Add(result =>
        {
            // Command validators run before option defaults are filled in, so the environment and the file are asked here too.
            string server = Effective(result, Setting.Server) ?? DefaultServer;
            if (ParseServers(server, out string? serverError) is null)
            {
                result.AddError(serverError!);
            }

            if (withLink && string.IsNullOrEmpty(Effective(result, Setting.Link)))
            {
                result.AddError($"--link is required (or set {LinkVariable}, the config file's link, or tamtam join)");
            }

            if (withNode && _nodeRequired && string.IsNullOrEmpty(Effective(result, Setting.Node)))
            {
                result.AddError($"--node is required (or set {Setting.Node.Variable}, the config file's node, or tamtam join)");
            }

            string caCert = Effective(result, Setting.CaCert) ?? string.Empty;
            if (caCert.Length > 0 && LoadCertificates(caCert, out string? error) is null)
            {
                result.AddError(error!);
            }
        });
    }

    /// <summary>The node name given, or a fresh <c>cli-xxxxxxxx</c> for a one-off sender.</summary>
    public string NodeName(ParseResult parse) =>
        parse.GetValue(Node) is { Length: > 0 } given ? given : $"cli-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>A node name was given (by flag, environment, config file or tamtam join): its session may be resumed and is saved.</summary>
    public bool NodeGiven(ParseResult parse) => parse.GetValue(Node) is { Length: > 0 };

    /// <summary>
    /// How a command that runs until it is stopped (<c>listen</c>, <c>subscribe</c>, <c>reply</c>) reconnects: for as long
    /// as it runs, with the SDK's backoff (at most 5 s between attempts), rather than giving up after the SDK's 10
    /// attempts (some 25 s), so that a server restart or an outage longer than that does not end it.
    /// </summary>
    internal static ReconnectOptions UntilStopped { get; } = new() { MaxAttempts = int.MaxValue };

    /// <summary>The client's options for a command that runs until stopped: <see cref="ClientOptions"/>, reconnecting <see cref="UntilStopped"/>.</summary>
    public TamTamClientOptions ServiceClientOptions(ParseResult parse) => ClientOptions(parse) with { Reconnect = UntilStopped };

    public TamTamClientOptions ClientOptions(ParseResult parse)
    {
        IReadOnlyList<Uri> servers = ParseServers(parse.GetValue(Server)!, out _)!;
        return new TamTamClientOptions
        {
            Uri = servers[0],
            Endpoints = servers,
            ClientName = $"tamtam-cli/{typeof(ConnectionOptions).Assembly.GetName().Version?.ToString(3)}",
            AuthToken = parse.GetValue(Token) is { Length: > 0 } token ? token.Trim() : null,
            TrustedServerCertificates = parse.GetValue(CaCert) is { Length: > 0 } caCert ? LoadCertificates(caCert, out _) : null,
        };
    }

    /// <summary>The servers of <c>--server</c> (one URI, or several: <c>tamtam://a:7420,b:7420</c>); null with a reason when it does not parse.</summary>
    internal static IReadOnlyList<Uri>? ParseServers(string text, out string? error)
    {
        error = null;
        try
        {
            return TamTamEndpoints.Parse(text);
        }
        catch (FormatException exception)
        {
            error = $"--server \"{text}\" is not a URI such as {DefaultServer} or a list such as tamtam://a:7420,b:7420: {exception.Message}";
            return null;
        }
    }

    /// <summary>The value of <paramref name="setting"/> for the command line being parsed: flag, environment, tamtam join, file.</summary>
    private string? Effective(SymbolResult result, Setting setting) =>
        SettingsResolver.For(_console, result).Resolve(setting, s => FlagOf(result, s)).Value;

    private string? FlagOf(SymbolResult result, Setting setting)
    {
        Option<string>? option = setting == Setting.Server ? Server : setting == Setting.Link ? Link : setting == Setting.Node ? Node
            : setting == Setting.Token ? Token : setting == Setting.CaCert ? CaCert : null;
        return option is not null && result.GetResult(option) is { Implicit: false, Tokens.Count: > 0 } given ? given.Tokens[0].Value : null;
    }

    /// <summary>The certificates of a PEM file (one or a bundle) or a DER file; null with a reason when it cannot be read.</summary>
    internal static X509Certificate2Collection? LoadCertificates(string path, out string? error)
    {
        error = null;
        try
        {
            var certificates = new X509Certificate2Collection();
            if (File.ReadAllText(path).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                certificates.ImportFromPemFile(path);
            }
            else
            {
                certificates.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            }

            return certificates;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = $"--cacert \"{path}\" cannot be read as a PEM or DER certificate: {exception.Message}";
            return null;
        }
    }
}
