using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Metadata;
using Orleans.Streams;
using TamTam.Grains.Streams.Internal;
using TamTam.Grains.Streams.Provider;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>Hosting for streaming mode (docs/architecture.md, "Streaming mode").</summary>
public static class StreamingSiloBuilderExtensions
{
    /// <summary>
    /// The name of the Orleans stream provider through which grains and Orleans clients publish to and subscribe to
    /// port streams: <c>GetStreamProvider("tamtam")</c>.
    /// </summary>
    public const string ProviderName = "tamtam";

    /// <summary>
    /// Adds the port grains' meters and this silo's relay service, through which other silos' port grains reach
    /// the sessions of this silo's gateway (<c>AddTamTamGateway</c>) and this silo's grain subscribers. Port grains
    /// need no provider or storage. The silo's grain manifest says that it hosts a relay: port grains route to the
    /// silos that say so, and leave out a silo of the same cluster hosted without this call.
    /// </summary>
    /// <remarks>
    /// Also registers the Orleans stream provider <see cref="ProviderName"/> (docs/architecture.md, "Orleans streams over
    /// the direct path"): <c>this.GetStreamProvider("tamtam").GetStream&lt;StreamPacket&gt;(StreamId.Create(link, port))</c>
    /// is the port's stream (<c>port + "/"</c>: its subtree's), which grains publish to with <c>OnNextAsync</c> and
    /// subscribe to with <c>SubscribeAsync</c> or <c>[ImplicitStreamSubscription(link)]</c>, seeing the packets, numbering
    /// and TTL wire nodes see. Neither pulling agents nor a <c>PubSubStore</c> are needed.
    /// </remarks>
    public static ISiloBuilder AddTamTamStreams(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<StreamMetrics>();
        silo.Services.AddSingleton<StreamRelayClient>();
        silo.AddGrainService<StreamRelayService>();
        silo.Services.AddSingleton<IGrainPropertiesProvider, RelayAdvertisement>();

        // Orleans' streaming services bring the namespace predicates and stream-id mappers implicit subscriptions name.
        silo.AddStreaming();
        silo.Services.AddSingleton<ImplicitSubscribers>();
        silo.Services.AddSingleton<GrainSubscribers>();
        silo.Services.AddSingleton(services => new TamTamStreamProvider(ProviderName, services.GetRequiredService<IGrainFactory>(),
            services.GetRequiredService<IGrainContextAccessor>(), services.GetRequiredService<GrainSubscribers>(),
            services.GetRequiredService<ImplicitSubscribers>()));
        silo.Services.AddKeyedSingleton<IStreamProvider>(ProviderName, (services, _) => services.GetRequiredService<TamTamStreamProvider>());
        silo.Services.AddKeyedTransient<IGrainExtension>(typeof(IStreamPacketConsumer), (services, _) =>
            new PacketConsumerExtension(services.GetRequiredService<IGrainContextAccessor>().GrainContext, services.GetRequiredService<TamTamStreamProvider>()));
        return silo;
    }

    /// <summary>
    /// Registers the Orleans stream provider <see cref="ProviderName"/> on an Orleans client of a TamTam cluster, through
    /// which it publishes to and subscribes to port streams as grains do
    /// (<c>client.GetStreamProvider("tamtam").GetStream&lt;StreamPacket&gt;(StreamId.Create(link, port))</c>). A client's
    /// subscription is held by a silo of the cluster while the client stays connected; implicit subscriptions are for grains.
    /// </summary>
    public static IClientBuilder AddTamTamStreams(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.AddStreaming();
        client.Services.AddKeyedSingleton<IStreamProvider>(ProviderName, (services, _) =>
            new TamTamStreamProvider(ProviderName, services.GetRequiredService<IGrainFactory>(), null, null, null));
        return client;
    }
}
