using System.Globalization;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A two-silo cluster in this process for each test (localhost clustering, the second silo joining the first, one
/// shared data directory); a test may stop either silo.
/// </summary>
public abstract class TwoSiloTest : IAsyncLifetime
{
    private readonly DataDirectory _data = new();
    private InProcessSilo? _first;
    private InProcessSilo? _second;

    internal InProcessSilo First => _first!;

    internal InProcessSilo Second => _second!;

    public async Task InitializeAsync()
    {
        string primaryPort = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        _first = await InProcessSilo.StartAsync(_data.Path, $"--TamTam:Cluster:SiloPort={primaryPort}");
        _second = await InProcessSilo.StartAsync(_data.Path, $"--TamTam:Cluster:PrimarySiloPort={primaryPort}");
    }

    public async Task DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }

        if (_first is not null)
        {
            await _first.DisposeAsync();
        }

        _data.Dispose();
    }
}
