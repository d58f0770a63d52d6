using TamTam.Grains.Interchange.Internal;

namespace TamTam.Grains.Links;

// The route's last use as the dashboard shows it: a link that accepts messages for its station tells the registry, at most
// once per RouteUseReportPeriod, on a tick. Nothing is asked per message.
public sealed partial class LinkGrain
{
    /// <summary>How often at most a link tells the registry that its route is in use.</summary>
    private static readonly TimeSpan RouteUseReportPeriod = TimeSpan.FromSeconds(5);

    private long _routeUsedUs;
    private long _routeUseReportedUs;

    /// <summary>A message for the station of this link's route was accepted at <paramref name="now"/>.</summary>
    private void NoteRouteUse(long now) => _routeUsedUs = now;

    private async Task ReportRouteUseAsync()
    {
        long now = _core.NowUs();
        if (_routeUsedUs <= _routeUseReportedUs || _core.Station is not { } station
            || now - _routeUseReportedUs < (long)RouteUseReportPeriod.TotalMicroseconds)
        {
            return;
        }

        _routeUseReportedUs = now;
        try
        {
            await Interchange.RouteUsedAsync(Link, station, _routeUsedUs);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Only the dashboard's figure is late: the next report carries it.
            InterchangeLog.InterchangeNotAsked(_logger, Link, e);
        }
    }
}
