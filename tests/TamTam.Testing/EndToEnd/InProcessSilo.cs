using Microsoft.Extensions.DependencyInjection;
using TamTam.Silo;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real interchange host started inside the test process on a given data directory, so that a test can
/// stop it gracefully and start a new one on the same data.
/// </summary>
internal sealed class InProcessSilo : IAsyncDisposable
{
    private readonly TamTamSilo _silo;
    private int _stopped;

    private InProcessSilo(TamTamSilo silo) => _silo = silo;

    /// <summary>Where clients connect: the wire protocol over TCP on loopback.</summary>
    public Uri Uri => new($"tamtam://127.0.0.1:{_silo.TcpEndPoint.Port}");

    /// <summary>The silo's grains, to look at a transfer's descriptor grain.</summary>
    public IGrainFactory Grains => _silo.Services.GetRequiredService<IGrainFactory>();

    public static async Task<InProcessSilo> StartAsync(string dataPath, params string[] extraArguments) =>
        new(await TamTamSilo.StartAsync([.. SiloArguments.For(dataPath), .. extraArguments]).Within(TestTimeout.Batch));

    /// <summary>The silo's address in the cluster.</summary>
    public SiloAddress Address => _silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>The host itself, for its services and HTTP endpoint.</summary>
    public TamTamSilo Host => _silo;

    /// <summary>A graceful stop: sessions are told 211, the links deactivate, the log is closed.</summary>
    public Task StopAsync() => DisposeAsync().AsTask().Within(TestTimeout.Batch);

    // TamTamSilo.DisposeAsync may run once only: a second call throws ObjectDisposedException.
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _stopped, 1) == 0 ? _silo.DisposeAsync() : ValueTask.CompletedTask;
}
