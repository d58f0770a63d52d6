using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Grains.Interchange.Internal;
using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Interchange;

/// <summary>
/// The interchange's registry shell around <see cref="StationRegistry"/>: it tells links when a route to them starts or ends
/// (<see cref="ILinkGrain.AttachStationAsync"/>, <see cref="ILinkGrain.DetachStationAsync"/>), logs each route change once,
/// counts them, and expires claimed routes on a timer.
/// </summary>
/// <remarks>
/// Not reentrant, so that a registration (which asks each of its links) is decided whole; the read-only queries interleave
/// (<c>AlwaysInterleave</c> on the interface) because links ask for the ring and routes while a registration waits on them.
/// State is in memory on purpose: registrations belong to station sessions, which end with a silo anyway, and the
/// activation stays while any station is registered.
/// </remarks>
public sealed class InterchangeGrain : Grain, IInterchangeGrain
{
    private readonly StationRegistry _registry = new();
    private readonly InterchangeOptions _options;
    private readonly InterchangeMetrics? _metrics;
    private readonly ILogger<InterchangeGrain> _logger;
    private readonly TimeProvider _time;

    public InterchangeGrain(IOptions<InterchangeOptions> options, ILogger<InterchangeGrain> logger, TimeProvider? time = null, InterchangeMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    private long NowUs() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_options.RouteLifetime.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        this.RegisterGrainTimer(ExpireRoutesAsync, new GrainTimerCreationOptions(period, period) { Interleave = false });
        return Task.CompletedTask;
    }

    public async Task<OperationResult> RegisterAsync(StationAttachment station, HostedLink[] links)
    {
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(links);
        if (_registry.Refusal(station, links) is { } refusal)
        {
            InterchangeLog.RegistrationRefused(_logger, station.Station, refusal);
            return OperationResult.Fail(ErrorCode.NameTaken, refusal);
        }

        // Each link must not be hosted in the cloud; a link that is, or does not answer, undoes the ones attached before it.
        var attached = new List<string>(links.Length);
        foreach (HostedLink link in links)
        {
            OperationResult result;
            try
            {
                result = await GrainFactory.GetGrain<ILinkGrain>(link.Link).AttachStationAsync(station, link.Observer, registered: true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                InterchangeLog.LinkNotTold(_logger, link.Link, station.Station, e);
                result = OperationResult.Fail(ErrorCode.Unavailable, $"link \"{link.Link}\" is unavailable; register again");
            }

            if (!result.Succeeded)
            {
                foreach (string done in attached)
                {
                    await TellDetachedAsync(done, station.Station, station.AttachmentId);
                }

                InterchangeLog.RegistrationRefused(_logger, station.Station, result.Detail ?? result.Code.ToString());
                return result;
            }

            attached.Add(link.Link);
        }

        foreach (StationRoute old in _registry.Register(station, links, NowUs()))
        {
            InterchangeLog.RouteDropped(_logger, old.Link, old.Station, $"registered by station {station.Station}");
            _metrics?.Invalidated("replaced");
        }

        foreach (HostedLink link in links)
        {
            InterchangeLog.RouteAdded(_logger, link.Link, station.Station, "registered");
        }

        // The registry lives in memory: it stays while stations are registered.
        DelayDeactivation(TimeSpan.FromDays(365));
        InterchangeLog.StationRegistered(_logger, station.Station, station.AttachmentId, links.Length);
        return OperationResult.Ok;
    }

    public async Task LeaveAsync(string station, Guid attachmentId)
    {
        if (_registry.Leave(station, attachmentId) is not { } dropped)
        {
            return;
        }

        InterchangeLog.StationLeft(_logger, station, attachmentId, dropped.Count);
        foreach (StationRoute route in dropped)
        {
            InterchangeLog.RouteDropped(_logger, route.Link, route.Station, "the station left");
            _metrics?.Invalidated("left");
            await TellDetachedAsync(route.Link, route.Station, route.AttachmentId);
        }
    }

    public async Task<bool> LearnRouteAsync(string link, StationAttachment station, ILinkObserver observer)
    {
        ArgumentNullException.ThrowIfNull(station);
        bool? fresh = _registry.Learn(link, station, observer, NowUs(), out StationRoute? replaced);
        if (fresh is null)
        {
            return false;
        }

        if (replaced is not null)
        {
            InterchangeLog.RouteDropped(_logger, replaced.Link, replaced.Station, $"claimed by station {station.Station}");
            _metrics?.Invalidated("replaced");
            await TellDetachedAsync(replaced.Link, replaced.Station, replaced.AttachmentId);
        }

        if (fresh.Value)
        {
            InterchangeLog.RouteAdded(_logger, link, station.Station, "claimed");
            _metrics?.Promoted();
        }

        return true;
    }

    public Task<StationAttachment[]> GetRingAsync(string sourceLink) => Task.FromResult(_registry.Ring(sourceLink));

    public Task<StationRoute?> GetRouteAsync(string link) => Task.FromResult(_registry.Route(link));

    public Task<StreamTargets> GetStreamTargetsAsync(string link) => Task.FromResult(_registry.StreamTargets(link));

    public Task<bool> HasStationsAsync() => Task.FromResult(_registry.HasStations);

    public Task<RouteSummary[]> GetRoutesAsync() => Task.FromResult(_registry.Routes());

    public Task<StationSummary[]> GetStationsAsync() => Task.FromResult(_registry.Stations());

    public Task RouteUsedAsync(string link, string station, long atUs)
    {
        _registry.Used(link, station, atUs);
        return Task.CompletedTask;
    }

    private async Task ExpireRoutesAsync(CancellationToken cancellationToken)
    {
        foreach (StationRoute route in _registry.Expire(NowUs(), (long)_options.RouteLifetime.TotalMicroseconds))
        {
            InterchangeLog.RouteDropped(_logger, route.Link, route.Station, "no claim within the route lifetime");
            _metrics?.Invalidated("expired");
            await TellDetachedAsync(route.Link, route.Station, route.AttachmentId);
        }
    }

    private async Task TellDetachedAsync(string link, string station, Guid attachmentId)
    {
        try
        {
            await GrainFactory.GetGrain<ILinkGrain>(link).DetachStationAsync(station, attachmentId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The link finds out itself: its next push to the station fails, or the station's session is gone.
            InterchangeLog.LinkNotTold(_logger, link, station, e);
        }
    }
}
