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

    /// <param name="folder">The test's folder: its session files go under it.</param>
    public CliTestConsole(string folder)
    {
        string state = Path.Combine(folder, "state");
        Cli = new CliConsole(_out, _error, () => new MemoryStream(), name => name == "TAMTAM_STATE_DIR" ? state : null);
    }

    public CliConsole Cli { get; }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    public Task<int> RunAsync(params string[] args) => TamTamCommand.Create(Cli).Parse(args).InvokeAsync(Cli.InvocationConfiguration());
}
