using Orleans.Runtime.Services;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Internal;

/// <summary>Finds the relay of any silo by the silo's address (the relays are grain services).</summary>
public sealed class StreamRelayClient(IServiceProvider services) : GrainServiceClient<IStreamRelay>(services)
{
    /// <summary>The relay of <paramref name="silo"/>.</summary>
    public IStreamRelay Of(SiloAddress silo) => GetGrainService(silo);
}
