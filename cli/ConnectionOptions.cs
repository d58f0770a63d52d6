using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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

    private ConnectionOptions(CliConsole console, Option<string> server, Option<string> link, Option<string> node, Option<string> token,
        Option<string> caCert)
    {
        _console = console;
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

    /// <param name="console">Where the environment defaults come from.</param>
    /// <param name="nodeRequired">True when the node's name matters (a listener is found by it); otherwise a random <c>cli-…</c> name.</param>
    public static ConnectionOptions Create(CliConsole console, bool nodeRequired)
    {
        var server = new Option<string>("--server", "-s")
        {
            Description = $"The interchange: tamtam://host:port, tamtams://host:port (TLS), unix:///path, ws://host:port/ws or wss://host:port/ws; "
                + $"several servers of one cluster separated by commas (tamtam://a:7420,b:7420), tried in turn [env {ServerVariable}]",
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
        var token = new Option<string>("--token")
        {
            Description = $"An access token (tamtam token) sent in HELLO; none: anonymous [env {TokenVariable}; prefer it to keep the token out of shell history]",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(TokenVariable) ?? string.Empty,
        };
        var caCert = new Option<string>("--cacert")
        {
            Description = $"For tamtams:// and wss://: a certificate file (PEM or DER) the server's certificate must chain to, instead of the system's roots [env {CaCertVariable}]",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(CaCertVariable) ?? string.Empty,
        };
        return new ConnectionOptions(console, server, link, node, token, caCert);
    }

    /// <param name="command">The command to add the options to.</param>
    /// <param name="withLink">False for commands that take the link as an argument (<c>put</c>, <c>get</c>).</param>
    public void AddTo(Command command, bool withLink = true)
    {
        command.Options.Add(Server);
        if (withLink)
        {
            command.Options.Add(Link);
        }

        command.Options.Add(Node);
        command.Options.Add(Token);
        command.Options.Add(CaCert);
        command.Validators.Add(result =>
        {
            // Command validators run before option defaults are filled in, so the environment is asked here too.
            string server = result.GetValue(Server) is { Length: > 0 } given ? given : ServerFromEnvironment(_console);
            if (ParseServers(server, out string? serverError) is null)
            {
                result.AddError(serverError!);
            }

            if (withLink && string.IsNullOrEmpty(result.GetValue(Link)) && string.IsNullOrEmpty(_console.GetEnvironmentVariable(LinkVariable)))
            {
                result.AddError($"--link is required (or set {LinkVariable})");
            }

            string caCert = result.GetValue(CaCert) is { Length: > 0 } path ? path : _console.GetEnvironmentVariable(CaCertVariable) ?? string.Empty;
            if (caCert.Length > 0 && LoadCertificates(caCert, out string? error) is null)
            {
                result.AddError(error!);
            }
        });
    }

    /// <summary>The node name given, or a fresh <c>cli-xxxxxxxx</c> for a one-off sender.</summary>
    public string NodeName(ParseResult parse) =>
        parse.GetValue(Node) is { Length: > 0 } given ? given : $"cli-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

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

    private static string ServerFromEnvironment(CliConsole console) =>
        console.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultServer;
}
