using TamTam.Cli;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The <c>tamtam</c> command run in-process on a console that records what it prints (the put/get tests, and the CLI
/// session tests for the runs they do not kill).
/// </summary>
internal sealed class CliTestConsole
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    /// <param name="folder">The test's folder: its session files and its config file (none unless a test writes one) go under it.</param>
    /// <param name="stdin">What the command reads from standard input.</param>
    /// <param name="environment">Further environment variables.</param>
    public CliTestConsole(string folder, string stdin = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        string state = Path.Combine(folder, "state");
        string config = Path.Combine(folder, "config", "config.json");
        byte[] input = System.Text.Encoding.UTF8.GetBytes(stdin);
        Cli = new CliConsole(_out, _error, () => new MemoryStream(input), name => environment?.GetValueOrDefault(name) ?? name switch
        {
            "TAMTAM_STATE_DIR" => state,
            "TAMTAM_CONFIG" => config,
            _ => null,
        });
    }

    public CliConsole Cli { get; }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Waits for a running command to have printed something (a listener that has bound, say): the console is a plain
    /// writer with no event to await, so it is looked at every 10 ms, within <see cref="TestTimeout.Default"/>.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> printed)
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (!printed())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public Task<int> RunAsync(params string[] args) => TamTamCommand.Create(Cli).Parse(args).InvokeAsync(Cli.InvocationConfiguration());
}
