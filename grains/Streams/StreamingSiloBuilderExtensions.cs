using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Metadata;
using TamTam.Grains.Streams.Internal;

namespace TamTam.Grains.Streams;

/// <summary>Hosting for streaming mode (docs/architecture.md, "Streaming mode").</summary>
public static class StreamingSiloBuilderExtensions
{
    /// <summary>
    /// Adds the port grains' meters and this silo's relay service, through which other silos' port grains reach
    /// the sessions of this silo's gateway (<c>AddTamTamGateway</c>). Port grains need no provider or storage.
    /// The silo's grain manifest says that it hosts a relay: port grains route to the silos that say so, and leave
    /// out a silo of the same cluster hosted without this call.
    /// </summary>
    public static ISiloBuilder AddTamTamStreams(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<StreamMetrics>();
        silo.Services.AddSingleton<StreamRelayClient>();
        silo.AddGrainService<StreamRelayService>();
        silo.Services.AddSingleton<IGrainPropertiesProvider, RelayAdvertisement>();
        return silo;
    }
}
