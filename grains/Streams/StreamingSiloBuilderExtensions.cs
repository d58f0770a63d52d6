using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using TamTam.Grains.Streams.Internal;

namespace TamTam.Grains.Streams;

/// <summary>Hosting for streaming mode (docs/architecture.md, "Streaming mode").</summary>
public static class StreamingSiloBuilderExtensions
{
    /// <summary>
    /// Adds the port grains' meters and this silo's relay service, through which other silos' port grains reach
    /// the sessions of this silo's gateway (<c>AddTamTamGateway</c>). Port grains need no provider or storage.
    /// </summary>
    public static ISiloBuilder AddTamTamStreams(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<StreamMetrics>();
        silo.Services.AddSingleton<StreamRelayClient>();
        silo.AddGrainService<StreamRelayService>();
        return silo;
    }
}
