using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TamTam.Storage.Blob;
using TamTam.Testing;

namespace TamTam.Storage.Tests.Infrastructure;

/// <summary>
/// One Azurite for the test run, with its blob and table endpoints (and the queue endpoint, which Azurite always
/// starts): on 127.0.0.1 on ports it picks itself (port 0, read back from its output), over a temporary
/// directory; stopped and the directory deleted at the end. Tests isolate themselves by container
/// (<see cref="NewOptions"/>) and by table (<see cref="NewTableName"/>). <see cref="ConnectionString"/> names both
/// endpoints, so one string serves blob and table clients alike.
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
    private readonly TaskCompletionSource<int> _blobListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _tableListening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _process;
    private string? _location;

    /// <summary>The port of the blob endpoint.</summary>
    public int Port { get; private set; }

    /// <summary>The port of the table endpoint.</summary>
    public int TablePort { get; private set; }

    /// <summary>A connection string for the emulator's development account, with its blob and table endpoints.</summary>
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
        string[] arguments =
        [
            "--blobHost", "127.0.0.1", "--blobPort", "0", "--tableHost", "127.0.0.1", "--tablePort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0",
            "--location", _location, "--silent", "--skipApiVersionCheck",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnOutput(e.Data);
        _process.ErrorDataReceived += (_, e) => OnOutput(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Process started = _process;
        started.WhenEnded(() =>
        {
            var exited = new InvalidOperationException($"azurite exited (code {started.ExitCode}) before it listened. Its output:\n{Output()}");
            _blobListening.TrySetException(exited);
            _tableListening.TrySetException(exited);
        });

        try
        {
            Port = await _blobListening.Task.WaitAsync(StartTimeout);
            TablePort = await _tableListening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"azurite did not report its blob and table endpoints within {StartTimeout}. Its output:\n{Output()}", ex);
        }

        ConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccount};AccountKey={DevelopmentKey};BlobEndpoint=http://127.0.0.1:{Port}/{DevelopmentAccount};" +
            $"TableEndpoint=http://127.0.0.1:{TablePort}/{DevelopmentAccount};");
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

    /// <summary>A table name of its own (Azure table names: letters and digits, starting with a letter), e.g. for a membership table.</summary>
    public static string NewTableName() => "t" + Guid.NewGuid().ToString("N")[..30];

    private void OnOutput(string? line)
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
            var listening = match.Groups[1].Value == "Table" ? _tableListening : _blobListening;
            listening.TrySetResult(int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    // "Azurite Blob service is successfully listening at http://127.0.0.1:40123" (the queue's line is not waited for).
    [GeneratedRegex(@"(Blob|Table) service .*listen\w* (?:at|on) http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
