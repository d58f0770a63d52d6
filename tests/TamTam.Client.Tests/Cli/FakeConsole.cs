using System.Text;
using TamTam.Cli;

namespace TamTam.Client.Tests.Cli;

/// <summary>A <see cref="CliConsole"/> over strings: given stdin and environment, recorded stdout and stderr.</summary>
internal sealed class FakeConsole
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public FakeConsole(string stdin = "", Dictionary<string, string>? environment = null)
    {
        byte[] input = Encoding.UTF8.GetBytes(stdin);

        // Session files go to a folder of this console's, never the user's state directory.
        string stateDirectory = Path.Combine(Path.GetTempPath(), "tamtam-cli-tests", Guid.NewGuid().ToString("N"));
        Console = new CliConsole(_out, _error, () => new MemoryStream(input),
            name => environment?.GetValueOrDefault(name) ?? name switch
            {
                "TAMTAM_STATE_DIR" => stateDirectory,

                // Never the user's own config file.
                "TAMTAM_CONFIG" => Path.Combine(stateDirectory, "config.json"),
                _ => null,
            });
    }

    public CliConsole Console { get; }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public Task<int> RunAsync(params string[] args) =>
        TamTamCommand.Create(Console).Parse(args).InvokeAsync(Console.InvocationConfiguration());
}
