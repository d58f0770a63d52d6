using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Metadata;
using Orleans.Runtime;
using Orleans.TestingHost;
using TamTam.Grains.Streams;
using TamTam.Grains.Streams.Internal;
using TamTam.Grains.Tests.Infrastructure;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Tests.Streams;

/// <summary>
/// A cluster in which one silo is hosted without streaming (no <c>AddTamTamStreams</c>, so no relay service): the
/// port grains of the silo with streaming leave it out instead of calling a relay that is not there.
/// </summary>
public sealed class SiloWithoutStreamingTests : IAsyncLifetime
{
    // The first silo the test cluster starts; only it is set up for streaming.
    private const string StreamingSilo = "Silo_0";

    // StreamLog.RelayDropped: a port dropping a route, e.g. because its call failed.
    private const int RelayDroppedEvent = 3203;

    private readonly RecordingLoggerProvider _log = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            if (options.SiloName == StreamingSilo)
            {
                silo.AddTamTamStreams();
                silo.Services.AddSingleton<ILoggerProvider>(_log);
            }
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task A_port_grain_does_not_route_to_a_silo_hosted_without_streaming()
    {
        InProcessSiloHandle streaming = _cluster.GetActiveSilos().Single(s => s.Name == StreamingSilo);
        InProcessSiloHandle without = _cluster.GetActiveSilos().Single(s => s.Name != StreamingSilo);
        IServiceProvider services = _cluster.GetSiloServiceProvider(streaming.SiloAddress);

        // The silo with streaming knows the other one's grain manifest, which says whether it hosts a relay.
        var manifests = services.GetRequiredService<IClusterManifestProvider>();
        await Patience.Until(() => Task.FromResult(manifests.Current.Silos.ContainsKey(without.SiloAddress)),
            "the silo with streaming has the other silo's manifest");

        // Through the streaming silo's own grain factory: the port grain is placed there (PreferLocalPlacement).
        IStreamPortGrain port = services.GetRequiredService<IGrainFactory>().GetGrain<IStreamPortGrain>(StreamNames.Key("link", "ticks"));
        await port.PublishAsync(Batch("link:ticks"));

        // What a route to that silo would meet: its relay is not there. Once this call has failed, so would have the port's.
        IStreamRelay missing = services.GetRequiredService<StreamRelayClient>().Of(without.SiloAddress);
        await Assert.ThrowsAnyAsync<Exception>(() => missing.WantsAsync("link:ticks")).Within("the call to a missing relay");

        // A later turn of the port grain runs after whatever the failure of its own call would have made it do.
        await port.PublishAsync(Batch("link:ticks"));
        await port.PublishAsync(Batch("link:ticks"));

        string[] dropped = [.. _log.Entries.Where(e => e.Category == typeof(StreamPortGrain).FullName && e.EventId == RelayDroppedEvent).Select(e => e.Message)];
        Assert.Empty(dropped);
    }

    private static StreamBatch Batch(string key)
    {
        // One packet whose frame is all zeros but for its sequence: the relays of this test never decode it.
        const int SequenceOffset = 16;
        return new StreamBatch(key, 1, new byte[64], SequenceOffset, LargestBody: 32);
    }

    /// <summary>Keeps every log entry of the silo it is added to.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, int EventId, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(RecordingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Entries.Enqueue((category, eventId.Id, formatter(state, exception)));
        }
    }
}
