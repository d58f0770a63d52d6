using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// A silo's whole relay: its gateway's sessions (<see cref="ILocalStreamRelay"/>, when the silo hosts a gateway) and
/// its grain subscribers (<see cref="GrainSubscribers"/>). The port grain calls it in-process on its own silo
/// (<paramref name="withImplicit"/>: that relay also serves the implicit subscribers); the relay service calls it for
/// other silos' port grains.
/// </summary>
internal sealed class SiloStreamRelay(ILocalStreamRelay? gateway, GrainSubscribers grains, bool withImplicit) : ILocalStreamRelay
{
    private readonly ILocalStreamRelay? _gateway = gateway;
    private readonly GrainSubscribers _grains = grains;
    private readonly bool _withImplicit = withImplicit;

    public bool Deliver(StreamBatch batch, out int lag)
    {
        lag = 0;
        bool wanted = _gateway is not null && _gateway.Deliver(batch, out lag);
        return _grains.Deliver(batch, _withImplicit) | wanted;
    }

    public bool Wants(string key) => (_gateway is not null && _gateway.Wants(key)) || _grains.Wants(key, _withImplicit);
}
