using System.CommandLine;
using System.Globalization;
using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// <c>tamtam ping [-c N] [-i 1s]</c>: round trips to the server (PING/PONG), one line each, then the loss and the
/// minimum, mean and maximum — as <c>ping</c> does for a host. Runs until Ctrl+C without <c>--count</c>.
/// </summary>
internal static class PingCommand
{
    public static Command Create(CliConsole console)
    {
        Option<int?> count = CountOption.Create("Stop after this many PINGs (default: until Ctrl+C)");
        var interval = DurationOption.Create("--interval", "Time between PINGs, e.g. 1s, 200ms", TimeSpan.FromSeconds(1), "-i");
        var timeout = DurationOption.Create("--timeout", "How long to wait for each PONG", TimeSpan.FromSeconds(5), "-W");
        ConnectionOptions connection = ConnectionOptions.Create(console, nodeRequired: false);
        var command = new Command("ping", "Measure round trips to the server, like ping: one line per PONG, then min/avg/max and loss.");
        connection.AddTo(command, withLink: false, withNode: false);
        command.Options.Add(count);
        command.Options.Add(interval);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CliOutput output = CliOutput.For(console, parse);
            TamTamClientOptions options = connection.ClientOptions(parse) with { RequestTimeout = parse.GetValue(timeout) };
            return await QueryConnection.RunAsync(output, options, client =>
                PingAsync(output, client, parse.GetValue(count), parse.GetValue(interval), cancellationToken), cancellationToken);
        });
        return command;
    }

    private static async Task<int> PingAsync(CliOutput output, TamTamClient client, int? count, TimeSpan interval, CancellationToken cancellationToken)
    {
        string server = client.Uri.ToString();
        await output.LineAsync($"PING {server} ({client.ServerName})");
        var times = new List<TimeSpan>();
        int sent = 0;
        try
        {
            while (count is null || sent < count)
            {
                if (sent > 0)
                {
                    await Task.Delay(interval, cancellationToken);
                }

                int sequence = ++sent;
                TimeSpan? time = await OneAsync(client, cancellationToken);
                if (time is { } rtt)
                {
                    times.Add(rtt);
                }

                await output.WriteAsync(
                    () => time is { } t ? $"pong from {server}: seq={sequence} time={QueryConnection.Milliseconds(t)}" : $"no pong from {server}: seq={sequence} timed out",
                    json =>
                    {
                        json.WriteNumber("seq", sequence);
                        if (time is { } t)
                        {
                            json.WriteNumber("time_ms", QueryConnection.RoundedMilliseconds(t));
                        }
                        else
                        {
                            json.WriteBoolean("timeout", true);
                        }
                    });
                await output.Console.Out.FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the summary still comes.
        }

        await SummaryAsync(output, server, sent, times);
        return times.Count > 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>One round trip, or null when no PONG came in time.</summary>
    private static async Task<TimeSpan?> OneAsync(TamTamClient client, CancellationToken cancellationToken)
    {
        try
        {
            return await client.PingAsync(cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static Task SummaryAsync(CliOutput output, string server, int sent, List<TimeSpan> times)
    {
        int lossPercent = sent == 0 ? 0 : (int)Math.Round(100.0 * (sent - times.Count) / sent);
        TimeSpan min = times.Count > 0 ? times.Min() : TimeSpan.Zero;
        TimeSpan max = times.Count > 0 ? times.Max() : TimeSpan.Zero;
        TimeSpan average = times.Count > 0 ? TimeSpan.FromTicks((long)times.Average(t => t.Ticks)) : TimeSpan.Zero;
        return output.WriteAsync(
            () =>
            {
                string counts = $"--- {server} ping statistics ---{Environment.NewLine}{sent} sent, {times.Count} received, {lossPercent}% loss";
                return times.Count == 0
                    ? counts
                    : $"{counts}{Environment.NewLine}rtt min/avg/max = {Format(min)}/{Format(average)}/{Format(max)} ms";
            },
            json =>
            {
                json.WriteString("server", server);
                json.WriteNumber("sent", sent);
                json.WriteNumber("received", times.Count);
                json.WriteNumber("loss_percent", lossPercent);
                if (times.Count > 0)
                {
                    json.WriteNumber("min_ms", QueryConnection.RoundedMilliseconds(min));
                    json.WriteNumber("avg_ms", QueryConnection.RoundedMilliseconds(average));
                    json.WriteNumber("max_ms", QueryConnection.RoundedMilliseconds(max));
                }
            });
    }

    private static string Format(TimeSpan value) => value.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture);
}
