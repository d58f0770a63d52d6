using System.CommandLine;
using TamTam.Cli.Output;
using TamTam.Gateway.Security;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam token --key &lt;base64&gt; --kid k1 --link billing [--node n] --bind 'invoices/**' --send orders --ttl 24h</c>:
/// prints a signed access token (docs/security.md) for <c>--token</c>, <c>TAMTAM_TOKEN</c> or
/// <c>TamTamClientOptions.AuthToken</c>. Needs no server: the interchange verifies it with the same key, configured
/// as <c>TamTam:Security:Keys:&lt;kid&gt;</c>.
/// </summary>
internal static class TokenCommand
{
    public const string KeyVariable = "TAMTAM_TOKEN_KEY";

    private static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);

    public static Command Create(CliConsole console, TimeProvider clock)
    {
        var key = new Option<string>("--key")
        {
            Description = $"The signing key, standard base64 of at least 32 bytes, as configured in TamTam:Security:Keys:<kid> [env {KeyVariable}; " +
                "prefer it: a command line is visible to other users and kept in shell history]",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(KeyVariable) ?? string.Empty,
        };
        var kid = new Option<string>("--kid") { Description = "The key's id (TamTam:Security:Keys:<kid>)", Required = true };
        var link = new Option<string>("--link", "-l") { Description = "The link the token may join, or '*' for any", Required = true };
        var node = new Option<string?>("--node", "-n") { Description = "The only node name the token may join under (default: any)" };
        var bind = new Option<string[]>("--bind")
        {
            Description = "A port pattern the token may BIND, e.g. invoices, invoices/*, invoices/** (repeat for more; none: no BIND)",
        };
        var send = new Option<string[]>("--send")
        {
            Description = "An address pattern the token may SEND to: port-pattern or link:port-pattern, link may be '*' (repeat for more; none: no SEND)",
        };
        Option<TimeSpan> ttl = DurationOption.Create("--ttl", "How long the token is accepted, e.g. 15m, 24h, 30d", DefaultTtl);

        var command = new Command("token", "Print a signed access token for a node: which link, node name, ports and destinations, until when.");
        command.Options.Add(key);
        command.Options.Add(kid);
        command.Options.Add(link);
        command.Options.Add(node);
        command.Options.Add(bind);
        command.Options.Add(send);
        command.Options.Add(ttl);
        command.SetAction(async (parse, _) => await RunAsync(CliOutput.For(console, parse), clock, parse.GetValue(key) ?? string.Empty, parse.GetValue(kid)!,
            parse.GetValue(link)!, parse.GetValue(node), parse.GetValue(bind) ?? [], parse.GetValue(send) ?? [], parse.GetValue(ttl)));
        return command;
    }

    internal static async Task<int> RunAsync(CliOutput output, TimeProvider clock, string keyText, string keyId, string link, string? node,
        string[] bind, string[] send, TimeSpan ttl)
    {
        CliConsole console = output.Console;
        if (keyText.Length == 0)
        {
            await output.ReportAsync($"--key is required (or set {KeyVariable})");
            return ExitCodes.Failure;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(keyText.Trim());
        }
        catch (FormatException)
        {
            await output.ReportAsync("--key is not standard base64");
            return ExitCodes.Failure;
        }

        try
        {
            var issuer = new AccessTokenIssuer(keyId, key);
            var claims = new AccessToken { Link = link, Node = node, Bind = bind, Send = send, ExpiresAt = clock.GetUtcNow() + ttl };
            string token = issuer.Issue(claims);
            if (output.Json)
            {
                await output.ObjectAsync(json =>
                {
                    json.WriteString("token", token);
                    json.WriteString("kid", keyId);
                    json.WriteString("link", link);
                    json.WriteString("node", node);
                    WriteArray(json, "bind", bind);
                    WriteArray(json, "send", send);
                    json.WriteString("expires_at", claims.ExpiresAt);
                });
                return ExitCodes.Success;
            }

            await console.Out.WriteLineAsync(token);

            // Standard output holds the token alone, for $(tamtam token …); what it allows goes to standard error.
            await console.Error.WriteLineAsync($"token for {claims} (key {keyId})");
            return ExitCodes.Success;
        }
        catch (ArgumentException exception)
        {
            await output.ReportAsync(exception.Message);
            return ExitCodes.Failure;
        }
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter json, string name, string[] values)
    {
        json.WriteStartArray(name);
        foreach (string value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
