using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TamTam.Storage.Blob;

namespace TamTam.Storage.Tests.Infrastructure;

/// <summary>
/// One Azurite blob service for the test run: started on 127.0.0.1 on a port it picks itself (port 0,
/// read back from its output), over a temporary directory; stopped and the directory deleted at the
/// end. Tests isolate themselves by container (<see cref="NewOptions"/>).
/// </summary>
/// <remarks>If Azurite is not installed, starting fails and so does every test that uses it, saying how to install it.</remarks>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    // Azurite's well-known development account; it only exists inside the emulator.
    private const string DevelopmentAccount = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _location;

    /// <summary>The port Azurite listens on.</summary>
    public int Port { get; private set; }

    /// <summary>A connection string for the emulator's development account.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var binary = AzuriteLocator.Find();
        _location = Path.Combine(Path.GetTempPath(), "tamtam-azurite", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_location);

        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", _location, "--silent", "--skipApiVersionCheck" })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data, listening);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data, listening);
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException(
            $"azurite-blob exited (code {_process.ExitCode}) before it listened. Its output:\n{Output()}"));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            Port = await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"azurite-blob did not report listening within {StartTimeout}. Its output:\n{Output()}", ex);
        }

        ConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccount};AccountKey={DevelopmentKey};BlobEndpoint=http://127.0.0.1:{Port}/{DevelopmentAccount};");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(StopTimeout);
                await _process.WaitForExitAsync(timeout.Token);
            }

            _process.Dispose();
        }

        if (_location is not null && Directory.Exists(_location))
        {
            Directory.Delete(_location, recursive: true);
        }
    }

    /// <summary>Options for a fresh container of its own, so tests never see each other's blobs.</summary>
    public BlobStorageOptions NewOptions() => new()
    {
        ConnectionString = ConnectionString,
        ContainerName = "t" + Guid.NewGuid().ToString("N")[..30],
    };

    private void OnOutput(string? line, TaskCompletionSource<int> listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    [GeneratedRegex(@"listens on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
