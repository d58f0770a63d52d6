using System.Text;
using TamTam.Cli;

namespace TamTam.Client.Tests.Cli;

/// <summary>
/// A <see cref="CliConsole"/> over strings: given stdin and environment, recorded stdout and stderr. Its session files go
/// to a folder of its own, removed when it is disposed.
/// </summary>
internal sealed class FakeConsole : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly string _stateDirectory;

    public FakeConsole(string stdin = "", Dictionary<string, string>? environment = null)
    {
        byte[] input = Encoding.UTF8.GetBytes(stdin);

        // Session files go to a folder of this console's, never the user's state directory.
        string stateDirectory = _stateDirectory = Path.Combine(Path.GetTempPath(), "tamtam-cli-tests", Guid.NewGuid().ToString("N"));
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

    public void Dispose()
    {
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was saved.
        }
    }
}
