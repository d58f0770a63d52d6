using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>Hosting for streaming mode (docs/architecture.md, "Streaming mode").</summary>
public static class StreamingSiloBuilderExtensions
{
    /// <summary>
    /// Adds the memory streams provider the port streams run on (<see cref="StreamNames.Provider"/>), memory
    /// storage for its subscriptions (<see cref="StreamNames.PubSubStore"/>: streams are not durable, so
    /// neither are their subscriptions) and the streaming meters. Settings from <c>TamTam:Streams</c>.
    /// </summary>
    public static ISiloBuilder AddTamTamStreams(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new StreamingOptions();
        configuration.GetSection(StreamingOptions.Section).Bind(options);
        if (options.Queues < 1 || (options.Queues & (options.Queues - 1)) != 0)
        {
            throw new ArgumentException($"{StreamingOptions.Section}:Queues must be a power of two ≥ 1, not {options.Queues}");
        }

        if (options.PollPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{StreamingOptions.Section}:PollPeriod must be positive, not {options.PollPeriod}");
        }

        silo.AddMemoryGrainStorage(StreamNames.PubSubStore);
        silo.AddMemoryStreams(StreamNames.Provider, streams =>
        {
            streams.ConfigurePartitioning(options.Queues);
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = options.PollPeriod));
        });
        silo.Services.AddSingleton(options);
        silo.Services.AddSingleton<StreamMetrics>();
        return silo;
    }
}
