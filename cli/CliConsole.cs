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
        Environment.GetEnvironmentVariable);

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
}
