using TamTam.Interfaces.Interchange;
using TamTam.Interfaces.Links;
using TamTam.Protocol;

namespace TamTam.Grains.Interchange.Internal;

/// <summary>
/// The interchange's stations and routes, without Orleans: who is registered under which name, which station hosts which link
/// (registered or claimed, and when), and the ring, the stations in byte order of their names. Every change is decided here
/// and returned, so that its grain tells the links and logs each route change once.
/// </summary>
internal sealed class StationRegistry
{
    private readonly SortedDictionary<string, Station> _stations = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, StationRoute> _routes = new(StringComparer.Ordinal);

    public bool HasStations => _stations.Count > 0;

    /// <summary>Why <paramref name="station"/> may not register <paramref name="links"/> now, or null.</summary>
    public string? Refusal(StationAttachment station, HostedLink[] links)
    {
        if (_stations.TryGetValue(station.Station, out Station? existing))
        {
            return existing.Attachment.AttachmentId == station.AttachmentId
                ? $"station \"{station.Station}\" is registered on this session already"
                : $"station \"{station.Station}\" is registered by another session";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (HostedLink link in links)
        {
            if (!seen.Add(link.Link))
            {
                return $"link \"{link.Link}\" is named twice";
            }

            if (_routes.TryGetValue(link.Link, out StationRoute? route) && route.Learned == RouteLearning.Registered)
            {
                return $"link \"{link.Link}\" is hosted by station \"{route.Station}\"";
            }
        }

        return null;
    }

    /// <summary>
    /// Records the station and a registered route per link. Returns the claimed routes the registration replaces (another
    /// station's claim of one of these links), for their links to be told.
    /// </summary>
    public List<StationRoute> Register(StationAttachment station, HostedLink[] links, long now)
    {
        var replaced = new List<StationRoute>();
        _stations[station.Station] = new Station(station, [.. links.Select(l => l.Link)], now);
        foreach (HostedLink link in links)
        {
            if (_routes.TryGetValue(link.Link, out StationRoute? old) && old.Station != station.Station)
            {
                replaced.Add(old);
            }

            _routes[link.Link] = new StationRoute(link.Link, station.Station, station.AttachmentId, link.Observer, RouteLearning.Registered, now);
        }

        return replaced;
    }

    /// <summary>Drops the station and every route through it; null when that session is not the one registered.</summary>
    public List<StationRoute>? Leave(string station, Guid attachmentId)
    {
        if (!_stations.TryGetValue(station, out Station? registered) || registered.Attachment.AttachmentId != attachmentId)
        {
            return null;
        }

        _stations.Remove(station);
        var dropped = new List<StationRoute>();
        foreach (StationRoute route in _routes.Values)
        {
            if (route.Station == station)
            {
                dropped.Add(route);
            }
        }

        foreach (StationRoute route in dropped)
        {
            _routes.Remove(route.Link);
        }

        return dropped;
    }

    /// <summary>
    /// A claim: the route to <paramref name="link"/> goes through the claiming station from now on. Null when that session is
    /// not registered; otherwise the route it replaces (null when none, or the same station's), and whether the route is new.
    /// </summary>
    public bool? Learn(string link, StationAttachment station, ILinkObserver observer, long now, out StationRoute? replaced)
    {
        replaced = null;
        if (!_stations.TryGetValue(station.Station, out Station? registered) || registered.Attachment.AttachmentId != station.AttachmentId)
        {
            return null;
        }

        bool fresh = true;
        if (_routes.TryGetValue(link, out StationRoute? old))
        {
            if (old.Station == station.Station)
            {
                fresh = false;
                if (old.Learned == RouteLearning.Registered)
                {
                    // A station claiming a link it registered: the registration stands, its time is refreshed.
                    _routes[link] = old with { AtUs = now, Observer = observer };
                    return false;
                }
            }
            else
            {
                replaced = old;
            }
        }

        _routes[link] = new StationRoute(link, station.Station, station.AttachmentId, observer, RouteLearning.Claimed, now);
        return fresh;
    }

    /// <summary>Drops the claimed routes older than <paramref name="lifetimeUs"/>: their stations stopped claiming.</summary>
    public List<StationRoute> Expire(long now, long lifetimeUs)
    {
        var expired = new List<StationRoute>();
        foreach (StationRoute route in _routes.Values)
        {
            if (route.Learned == RouteLearning.Claimed && now - route.AtUs >= lifetimeUs)
            {
                expired.Add(route);
            }
        }

        foreach (StationRoute route in expired)
        {
            _routes.Remove(route.Link);
        }

        return expired;
    }

    /// <summary>The ring, less the station that registered <paramref name="sourceLink"/> (a station does not offer itself its own messages).</summary>
    public StationAttachment[] Ring(string sourceLink)
    {
        string? source = _routes.TryGetValue(sourceLink, out StationRoute? route) && route.Learned == RouteLearning.Registered ? route.Station : null;
        var ring = new List<StationAttachment>(_stations.Count);
        foreach (Station station in _stations.Values)
        {
            if (station.Attachment.Station != source)
            {
                ring.Add(station.Attachment);
            }
        }

        return [.. ring];
    }

    /// <summary>The station of the route to <paramref name="link"/>, or the ring when none is known (a stream's copies).</summary>
    public StreamTargets StreamTargets(string link) =>
        _routes.TryGetValue(link, out StationRoute? route) && _stations.TryGetValue(route.Station, out Station? station)
            ? new StreamTargets(Routed: true, [station.Attachment])
            : new StreamTargets(Routed: false, Ring(link));

    public StationRoute? Route(string link) => _routes.GetValueOrDefault(link);

    /// <summary>Link <paramref name="link"/> used its route through <paramref name="station"/> at <paramref name="atUs"/>.</summary>
    public void Used(string link, string station, long atUs)
    {
        if (_routes.TryGetValue(link, out StationRoute? route) && route.Station == station && atUs > route.LastUsedUs)
        {
            _routes[link] = route with { LastUsedUs = atUs };
        }
    }

    public RouteSummary[] Routes() =>
        [.. _routes.Values.Select(r => new RouteSummary(r.Link, r.Station, r.Learned, r.AtUs, Math.Max(r.AtUs, r.LastUsedUs)))];

    public StationSummary[] Stations() => [.. _stations.Values.Select(s => new StationSummary(s.Attachment.Station, s.Links, s.RegisteredAtUs))];

    private sealed record Station(StationAttachment Attachment, string[] Links, long RegisteredAtUs);
}
