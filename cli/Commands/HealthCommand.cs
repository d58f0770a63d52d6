using System.CommandLine;
using System.Globalization;
using TamTam.Cli.Output;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam health</c>: the server's state and figures (HEALTH). The exit code says the state, for scripts and probes:
/// 0 healthy, 4 degraded, 5 unhealthy, 1 not reachable.
/// </summary>
internal static class HealthCommand
{
    public static Command Create(CliConsole console)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing: only the exit code tells" };
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("health", "Ask the server how it is: exit code 0 healthy, 4 degraded, 5 unhealthy, 1 unreachable.");
        connection.AddTo(command, withLink: false, withNode: false);
        command.Options.Add(quiet);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ClientOptions(parse);
            return await QueryConnection.RunAsync(output, options, async client =>
            {
                HealthReport report = await client.HealthAsync(cancellationToken);
                if (!parse.GetValue(quiet))
                {
                    await WriteAsync(output, options.Uri, client.ServerName, report);
                }

                return ExitCodeOf(report.State);
            }, cancellationToken);
        });
        return command;
    }

    public static int ExitCodeOf(HealthState state) => state switch
    {
        HealthState.Healthy => ExitCodes.Success,
        HealthState.Degraded => ExitCodes.Degraded,
        _ => ExitCodes.Unhealthy,
    };

    public static string NameOf(HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Degraded => "degraded",
        HealthState.Unhealthy => "unhealthy",
        _ => $"state {(byte)state}",
    };

    private static async Task WriteAsync(CliOutput output, Uri server, string serverName, HealthReport report)
    {
        if (output.Json)
        {
            await output.ObjectAsync(json =>
            {
                json.WriteString("server", server.ToString());
                json.WriteString("server_name", serverName);
                json.WriteString("state", NameOf(report.State));
                json.WriteStartObject("figures");
                foreach ((string key, long value) in report.Figures.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    json.WriteNumber(key, value);
                }

                json.WriteEndObject();
            });
            return;
        }

        await output.LineAsync($"{NameOf(report.State)}: {server} ({serverName})");
        await output.TableAsync(["FIGURE", "VALUE"], report.Figures.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (IReadOnlyList<string>)[f.Key, f.Value.ToString(CultureInfo.InvariantCulture)]));
    }
}
