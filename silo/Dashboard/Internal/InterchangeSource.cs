using TamTam.Interfaces.Interchange;
using TamTam.Protocol;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>The dashboard's "Stations and routes": the interchange's registry as one snapshot shows it.</summary>
internal static class InterchangeSource
{
    /// <summary>The registered stations with their ring order, and the known routes; both sorted by name, as the registry keeps them.</summary>
    public static async Task<DashboardInterchange> ReadAsync(IGrainFactory grains)
    {
        IInterchangeGrain registry = grains.GetGrain<IInterchangeGrain>(IInterchangeGrain.ClusterKey);
        Task<StationSummary[]> stations = registry.GetStationsAsync();
        Task<RouteSummary[]> routes = registry.GetRoutesAsync();
        StationSummary[] stationList = await stations;
        RouteSummary[] routeList = await routes;

        var shownStations = new DashboardStation[stationList.Length];
        for (int i = 0; i < stationList.Length; i++)
        {
            StationSummary s = stationList[i];
            shownStations[i] = new DashboardStation(s.Station, s.Links, FromUs(s.RegisteredAtUs), RingOrder: i + 1);
        }

        var shownRoutes = new DashboardRoute[routeList.Length];
        for (int i = 0; i < routeList.Length; i++)
        {
            RouteSummary r = routeList[i];
            string learned = r.Learned == RouteLearning.Registered ? "registered" : "claimed";
            shownRoutes[i] = new DashboardRoute(r.Link, r.Station, learned, FromUs(r.AtUs), FromUs(Math.Max(r.AtUs, r.LastUsedUs)));
        }

        return new DashboardInterchange(Available: true, shownStations, shownRoutes);
    }

    private static DateTimeOffset FromUs(long us) => DateTimeOffset.UnixEpoch.AddTicks(us * TimeSpan.TicksPerMicrosecond);
}
