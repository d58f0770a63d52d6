using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace TamTam.Grains.Streams;

/// <summary>Hosting for streaming mode (docs/architecture.md, "Streaming mode").</summary>
public static class StreamingSiloBuilderExtensions
{
    /// <summary>
    /// Adds the port grains' meters. Port grains need no provider or storage: they push to the relays the gateway
    /// of each silo registers (<c>AddTamTamGateway</c>).
    /// </summary>
    public static ISiloBuilder AddTamTamStreams(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<StreamMetrics>();
        return silo;
    }
}
