using System.CommandLine;
using System.Text;
using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli;

/// <summary>
/// What the commands touch of the outside world: standard streams and environment variables. Tests supply
/// their own; <see cref="System"/> is the real one.
/// </summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, Func<Stream> OpenInput, Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>
    /// The process's streams. Standard output is buffered and flushed by the commands where it matters
    /// (after each received message), not by the runtime after every write.
    /// </summary>
    public static CliConsole System() => new(
        new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false },
        new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true },
        Console.OpenStandardInput,
        Environment.GetEnvironmentVariable)
    {
        OutputIsTerminal = !Console.IsOutputRedirected,
        ReadKeyAsync = ReadConsoleKeyAsync,
    };

    /// <summary>Standard output is a terminal (<c>monitor</c> draws a live view there, and prints one snapshot elsewhere).</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>The next key pressed, for <c>monitor</c>'s q; never completes where there is no keyboard.</summary>
    public Func<CancellationToken, Task<ConsoleKeyInfo>> ReadKeyAsync { get; init; } = static async cancellationToken =>
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return default;
    };

    public InvocationConfiguration InvocationConfiguration() => new() { Output = Out, Error = Error };

    /// <summary>Reports a failure on standard error, with the protocol's number and name when there is one.</summary>
    public async Task ReportAsync(Exception exception)
    {
        string line = exception switch
        {
            TamTamException { Code: not ErrorCode.None } protocol => $"error {(ushort)protocol.Code} {protocol.CodeName}: {protocol.Detail}",
            TamTamException other => $"error: {other.Detail}",
            _ => $"error: {exception.Message}",
        };
        await Error.WriteLineAsync(line);
    }

    private static async Task<ConsoleKeyInfo> ReadConsoleKeyAsync(CancellationToken cancellationToken)
    {
        // Console has no asynchronous key read: poll, as a person types slowly.
        while (!Console.IsInputRedirected)
        {
            if (Console.KeyAvailable)
            {
                return Console.ReadKey(intercept: true);
            }

            await Task.Delay(50, cancellationToken);
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        return default;
    }
}
