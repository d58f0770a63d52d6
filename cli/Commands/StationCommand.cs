using System.CommandLine;
using TamTam.Station;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam station --name factory --link plant --link office --upstream tamtam://cloud:7420</c>: runs a station in this
/// process — the links it hosts with their logs under <c>--data</c>, the wire protocol for its local nodes on
/// <c>--port</c> (and <c>--unix</c>), and a station session at each <c>--upstream</c> interchange — until Ctrl+C.
/// </summary>
internal static class StationCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Option<string>("--name") { Description = "The station's name at its interchanges", Required = true };
        var links = new Option<string[]>("--link", "-l")
        {
            Description = "A link the station hosts (repeat, or separate with commas)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var data = new Option<string>("--data") { Description = "The data directory: the links' logs and the upstream journal", DefaultValueFactory = _ => "./station-data" };
        var listen = new Option<string>("--listen") { Description = "The address local listeners bind", DefaultValueFactory = _ => "localhost" };
        var port = new Option<int>("--port", "-p") { Description = "TCP port of the wire protocol for local nodes (0: any free port)", DefaultValueFactory = _ => 7520 };
        var httpPort = new Option<int>("--http-port") { Description = "HTTP port: WebSocket /ws, /healthz, /metrics (0: any free port)", DefaultValueFactory = _ => 7580 };
        var unix = new Option<string>("--unix") { Description = "A Unix domain socket for local nodes", DefaultValueFactory = _ => string.Empty };
        var siloPort = new Option<int>("--silo-port") { Description = "The embedded silo's own port; distinct from any other silo on this machine", DefaultValueFactory = _ => 11121 };
        var upstreams = new Option<string[]>("--upstream", "-u")
        {
            Description = "An interchange to join, tamtam://host:port (repeat: two or more bridge them)",
            AllowMultipleArgumentsPerToken = true,
        };
        var token = new Option<string>("--upstream-token")
        {
            Description = "The access token shown to the interchanges (default: $TAMTAM_STATION_TOKEN; none: anonymous)",
        };
        var ack = new Option<string>("--ack")
        {
            Description = "When an interchange's delivery is acknowledged: final (once the local receiver acknowledged it) or stored",
            DefaultValueFactory = _ => "final",
        };
        ack.AcceptOnlyFromAmong("final", "stored");
        var unregistered = new Option<bool>("--unregistered")
        {
            Description = "Host the links without naming them in STATION_REGISTER: the interchange finds them through the ring",
        };

        var command = new Command("station", "Run a station: host links on local disk for local nodes, joined to one or more interchanges.");
        foreach (Option option in new Option[] { name, links, data, listen, port, httpPort, unix, siloPort, upstreams, token, ack, unregistered })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            string upstreamToken = parse.GetValue(token) ?? console.GetEnvironmentVariable("TAMTAM_STATION_TOKEN") ?? string.Empty;
            StationOptions options;
            try
            {
                options = new StationOptions
                {
                    Name = parse.GetValue(name)!,
                    Links = [.. (parse.GetValue(links) ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                    DataPath = parse.GetValue(data)!,
                    ListenAddress = parse.GetValue(listen)!,
                    TcpPort = parse.GetValue(port),
                    HttpPort = parse.GetValue(httpPort),
                    UnixPath = parse.GetValue(unix)!,
                    SiloPort = parse.GetValue(siloPort),
                    Upstreams = [.. (parse.GetValue(upstreams) ?? []).Select(u => StationUpstream.Parse(u, upstreamToken))],
                    AcknowledgeWhenFinal = parse.GetValue(ack) != "stored",
                    RegisterLinks = !parse.GetValue(unregistered),
                };
                options.Validate();
            }
            catch (ArgumentException e)
            {
                await console.Error.WriteLineAsync($"tamtam station: {e.Message}");
                return ExitCodes.Failure;
            }

            return await RunAsync(console, options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliConsole console, StationOptions options, CancellationToken cancellationToken)
    {
        await using TamTamStation station = await TamTamStation.StartAsync(options, cancellationToken);
        string unix = station.UnixSocketPath is { } path ? $", unix://{path}" : string.Empty;
        await console.Out.WriteLineAsync($"station {options.Name} hosts {string.Join(", ", options.Links)} in {Path.GetFullPath(options.DataPath)}");
        await console.Out.WriteLineAsync($"local nodes: {station.TcpUri}{unix}");
        await console.Out.WriteLineAsync(options.Upstreams.Count == 0
            ? "no interchange: local links only"
            : $"interchanges: {string.Join(", ", options.Upstreams)}");
        await console.Out.FlushAsync(CancellationToken.None);
        try
        {
            await station.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the station stops below.
        }

        return ExitCodes.Success;
    }
}
