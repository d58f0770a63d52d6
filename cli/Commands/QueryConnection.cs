using TamTam.Cli.Output;
using TamTam.Client;

namespace TamTam.Cli.Commands;

/// <summary>
/// A connection that only asks the server (LINKS, NODES of a named link, HEALTH, PING): it never JOINs, so it takes no
/// node name and leaves nothing behind. Failures are reported in the command's output mode.
/// </summary>
internal static class QueryConnection
{
    /// <summary>Connects, runs <paramref name="query"/>, closes; a failure is reported and gives <see cref="ExitCodes.Failure"/>.</summary>
    public static async Task<int> RunAsync(CliOutput output, TamTamClientOptions options, Func<TamTamClient, Task<int>> query,
        CancellationToken cancellationToken)
    {
        try
        {
            await using TamTamClient client = await TamTamClient.ConnectAsync(options with { Reconnect = ReconnectOptions.Disabled }, cancellationToken);
            return await query(client);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Failure;
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            await output.ReportAsync(exception);
            return ExitCodes.Failure;
        }
    }

    /// <summary>A round trip for people: <c>0.412 ms</c>.</summary>
    public static string Milliseconds(TimeSpan value) => $"{value.TotalMilliseconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} ms";

    /// <summary>A round trip for JSON: milliseconds, three decimals.</summary>
    public static double RoundedMilliseconds(TimeSpan value) => Math.Round(value.TotalMilliseconds, 3);
}
