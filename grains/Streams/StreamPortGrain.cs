using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Metadata;
using Orleans.Placement;
using TamTam.Grains.Interchange;
using TamTam.Grains.Interchange.Internal;
using TamTam.Grains.Streams.Internal;
using TamTam.Grains.Streams.Provider;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>
/// The sequencer and router of one stream (docs/architecture.md, "Streaming mode"): the packets addressed to one
/// (link, port), or to its subtree. It numbers each published batch and pushes it to the relay of every active
/// silo that hosts one — its own silo's relay in-process, the others through <see cref="RelayRoute"/>s — until a
/// relay answers that none of its sessions receives the stream.
/// </summary>
/// <remarks>
/// <para>Not reentrant: batches are numbered in the order they are taken and handed to every route in that
/// order, so each subscriber sees consecutive sequences unless a packet is really lost on its way.</para>
/// <para>Placed on the silo of its first caller (the first subscriber's relay, or the first publisher): a publisher
/// there makes a local call, and that silo's subscribers are served without a hop.</para>
/// <para>No state is persisted: streaming mode is not durable. A new activation (after a silo failure) starts
/// again from sequence 1, which receivers see as a restart, and sends to every silo's relay from its first batch:
/// relays are grain services, found from the cluster's membership and the silos' grain manifests alone (a silo
/// hosted without streaming has no relay, and its manifest says so: it is left out).</para>
/// <para>Kept active while a relay may want the stream: an idle port asks its relays once per
/// <see cref="IdleCheckPeriod"/> whether they still do, and lets itself be collected once none does.</para>
/// </remarks>
[PreferLocalPlacement]
public sealed class StreamPortGrain : Grain, IStreamPortGrain
{
    /// <summary>How often an idle port asks its relays whether anyone still receives its stream.</summary>
    public static readonly TimeSpan IdleCheckPeriod = TimeSpan.FromMinutes(1);

    private readonly ILogger<StreamPortGrain> _logger;
    private readonly StreamMetrics _metrics;
    private readonly IClusterMembershipService _membership;
    private readonly IClusterManifestProvider _manifests;
    private readonly StreamRelayClient _relays;
    private readonly ILocalStreamRelay? _localRelay;
    private readonly SiloAddress _silo;
    private readonly Dictionary<SiloAddress, RelayRoute> _routes = [];
    private readonly HashSet<SiloAddress> _withoutRelay = [];
    private readonly Action<RelayRoute, Exception?, int> _routePaused;
    private readonly InterchangeMetrics? _interchangeMetrics;
    private StationStreamForwarder? _stations;
    private RelayRoute[] _sending = [];
    private MembershipVersion _membershipVersion = MembershipVersion.MinValue;
    private MajorMinorVersion _manifestVersion = MajorMinorVersion.MinValue;
    private bool _awaitingManifests;
    private long _nextResume = long.MaxValue;
    private IGrainTimer? _idleCheck;
    private bool _publishedSinceCheck;
    private ulong _next = 1;

    public StreamPortGrain(ILogger<StreamPortGrain> logger, StreamMetrics metrics, IClusterMembershipService membership,
        IClusterManifestProvider manifests, ILocalSiloDetails silo, StreamRelayClient relays, IServiceProvider services)
    {
        _logger = logger;
        _metrics = metrics;
        _membership = membership;
        _manifests = manifests;
        _relays = relays;
        _silo = silo.SiloAddress;
        _localRelay = new SiloStreamRelay(services.GetService<ILocalStreamRelay>(), services.GetRequiredService<GrainSubscribers>(), withImplicit: true);
        _routePaused = OnRoutePaused;
        _interchangeMetrics = services.GetService<InterchangeMetrics>();
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A silo with an interchange also carries the streams of links its stations host (docs/protocol.md section 5.18).
        if (_interchangeMetrics is not null)
        {
            _stations = new StationStreamForwarder(this.GetPrimaryKeyString(), GrainFactory, _interchangeMetrics, _metrics, _logger);
        }

        FollowMembership();
        KeepActive();
        return Task.CompletedTask;
    }

    public Task SubscribeAsync(SiloAddress silo, IStreamRelay? relay = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        FollowMembership();
        if (!_routes.TryGetValue(silo, out RelayRoute? route))
        {
            route = AddRoute(silo, relay);
        }

        route.Subscribe(relay);
        StreamLog.RelaySubscribed(_logger, this.GetPrimaryKeyString(), silo);
        ListSending();
        KeepActive();
        return Task.CompletedTask;
    }

    public Task<StreamPublishResult> PublishAsync(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return Task.FromResult(StreamPublishResult.Ok(_next));
        }

        FollowMembership();
        if (Environment.TickCount64 >= _nextResume)
        {
            ResumePaused();
        }

        RelayRoute[] routes = _sending;
        foreach (RelayRoute route in routes)
        {
            if (!route.HasRoomFor(batch.Count))
            {
                // Number nothing, so receivers see no gap for packets that never entered the stream.
                string key = this.GetPrimaryKeyString();
                _metrics.Refused(batch.Count);
                StreamLog.RelayLagging(_logger, key, batch.Count, route.Silo, route.Backlog);
                return Task.FromResult(StreamPublishResult.Refused(ErrorCode.QuotaExceeded,
                    $"the stream of \"{key}\" is full: the subscribers of a silo lag by {route.Backlog} packets; publish again later"));
            }
        }

        ulong first = _next;
        batch.AssignSequences(first);
        _next += (ulong)batch.Count;
        _publishedSinceCheck = true;
        int lag = 0;
        foreach (RelayRoute route in routes)
        {
            lag = Math.Max(lag, route.Send(batch, _routePaused));
        }

        _stations?.Forward(batch);
        _metrics.Published(batch.Count);
        return Task.FromResult(StreamPublishResult.Ok(first, lag));
    }

    /// <summary>
    /// Adds a route to each silo that became active since the last look and hosts a relay, and drops the routes to
    /// silos that membership declared dead or that are shutting down: no call waits for them.
    /// </summary>
    /// <remarks>
    /// Whether a silo hosts a relay its grain manifest says (<see cref="RelayAdvertisement"/>): a silo hosted without
    /// streaming has none, and is never called. Orleans fetches a silo's manifest after membership lists it as
    /// active; until then the silo waits, and the cluster's manifest is looked at again at each batch.
    /// </remarks>
    private void FollowMembership()
    {
        ClusterMembershipSnapshot snapshot = _membership.CurrentSnapshot;
        if (snapshot.Version == _membershipVersion && !_awaitingManifests)
        {
            return;
        }

        ClusterManifest manifest = _manifests.Current;
        if (snapshot.Version == _membershipVersion && manifest.Version == _manifestVersion)
        {
            return;
        }

        _membershipVersion = snapshot.Version;
        _manifestVersion = manifest.Version;
        _awaitingManifests = false;
        GrainType portGrain = this.GetGrainId().Type;
        foreach (KeyValuePair<SiloAddress, ClusterMember> member in snapshot.Members)
        {
            SiloAddress silo = member.Key;
            if (member.Value.Status != SiloStatus.Active || _withoutRelay.Contains(silo))
            {
                continue;
            }

            // This grain's own silo hosts a relay: the grain cannot be activated on a silo without streaming.
            bool? hostsRelay = silo.Equals(_silo) ? true : RelayAdvertisement.HostsRelay(manifest, silo, portGrain);
            if (_routes.TryGetValue(silo, out RelayRoute? known))
            {
                // A route a relay's subscription made before its silo's manifest came.
                if (hostsRelay == true)
                {
                    known.Advertised();
                }
                else if (hostsRelay is null)
                {
                    _awaitingManifests = true;
                }

                continue;
            }

            switch (hostsRelay)
            {
                case true:
                    AddRoute(silo, null);
                    break;
                case false:
                    _withoutRelay.Add(silo);
                    StreamLog.SiloWithoutRelay(_logger, this.GetPrimaryKeyString(), silo);
                    break;
                default:
                    _awaitingManifests = true;
                    break;
            }
        }

        foreach (RelayRoute route in (RelayRoute[])[.. _routes.Values])
        {
            if (route.Local is null && HasLeft(snapshot, route.Silo))
            {
                _routes.Remove(route.Silo);
                Lost(route, "its silo has left the cluster", null, route.Pause(null));
            }
        }

        _withoutRelay.RemoveWhere(silo => HasLeft(snapshot, silo));
        ListSending();
    }

    private static bool HasLeft(ClusterMembershipSnapshot snapshot, SiloAddress silo) =>
        snapshot.GetSiloStatus(silo) is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping;

    private RelayRoute AddRoute(SiloAddress silo, IStreamRelay? relay)
    {
        ILocalStreamRelay? local = relay is null && silo.Equals(_silo) ? _localRelay : null;
        var route = new RelayRoute(silo, local is null ? relay ?? _relays.Of(silo) : null, local, standIn: relay is not null);

        // A silo that advertises its relay runs a build whose relay reports its subscribers' lag; one whose manifest
        // has not come yet is looked at again when it does (FollowMembership).
        if (RelayAdvertisement.HostsRelay(_manifests.Current, silo, this.GetGrainId().Type) == true)
        {
            route.Advertised();
        }

        _routes[silo] = route;
        return route;
    }

    private void OnRoutePaused(RelayRoute route, Exception? failure, int lost)
    {
        // A route replaced since (its silo left, then a relay subscribed for the same address) must not pause its successor.
        if (_routes.TryGetValue(route.Silo, out RelayRoute? current) && ReferenceEquals(current, route))
        {
            ListSending();
            if (failure is not null || lost > 0)
            {
                Lost(route, failure is null ? "no subscriber left" : "its call failed", failure, lost);
            }
        }
    }

    private void ResumePaused()
    {
        long now = Environment.TickCount64;
        foreach (RelayRoute route in _routes.Values)
        {
            if (!route.Sending && route.ResumeAt <= now)
            {
                route.Resume();
            }
        }

        ListSending();
    }

    private void ListSending()
    {
        int sending = 0;
        long nextResume = long.MaxValue;
        foreach (RelayRoute route in _routes.Values)
        {
            if (route.Sending)
            {
                sending++;
            }
            else
            {
                nextResume = Math.Min(nextResume, route.ResumeAt);
            }
        }

        var routes = new RelayRoute[sending];
        int i = 0;
        foreach (RelayRoute route in _routes.Values)
        {
            if (route.Sending)
            {
                routes[i++] = route;
            }
        }

        _sending = routes;
        _nextResume = nextResume;
    }

    private void KeepActive() =>
        _idleCheck ??= this.RegisterGrainTimer(CheckIdleAsync, new GrainTimerCreationOptions(IdleCheckPeriod, IdleCheckPeriod) { KeepAlive = true });

    /// <summary>An idle port asks its relays whether they still want the stream; one nobody wants stops keeping itself active.</summary>
    private async Task CheckIdleAsync(CancellationToken cancellationToken)
    {
        if (_publishedSinceCheck)
        {
            _publishedSinceCheck = false;
            return;
        }

        string key = this.GetPrimaryKeyString();
        bool wanted = false;
        foreach (RelayRoute route in _sending)
        {
            wanted |= await route.CheckAsync(key).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        ListSending();
        if (!wanted)
        {
            _idleCheck?.Dispose();
            _idleCheck = null;
        }
    }

    private void Lost(RelayRoute route, string reason, Exception? failure, int lost)
    {
        if (lost > 0)
        {
            _metrics.RelayLost(lost);
        }

        StreamLog.RelayDropped(_logger, failure, this.GetPrimaryKeyString(), route.Silo, reason, lost);
    }
}
