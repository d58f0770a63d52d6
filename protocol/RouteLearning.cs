namespace TamTam.Protocol;

/// <summary>How the interchange learned a route (ROUTES_REPORT's <c>learned</c>, docs/protocol.md section 5.21).</summary>
public enum RouteLearning : byte
{
    /// <summary>The station's STATION_REGISTER named the link.</summary>
    Registered = 1,

    /// <summary>The station claimed an offer of a message to the link.</summary>
    Claimed = 2,
}
