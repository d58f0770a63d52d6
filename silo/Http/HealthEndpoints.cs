using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TamTam.Gateway.Diagnostics;

namespace TamTam.Silo.Http;

/// <summary>The liveness answer of <c>GET /healthz</c>: <c>{"status":"healthy","uptime_ms":1234}</c>.</summary>
public sealed record HealthzResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("uptime_ms")] long UptimeMs);

/// <summary>Maps the host's health endpoints.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>GET /healthz</c>: 200 with <see cref="HealthzResponse"/> while the process serves.</summary>
    public static IEndpointRouteBuilder MapTamTamHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", static (GatewayStatistics statistics) =>
            TypedResults.Json(new HealthzResponse("healthy", (long)statistics.Uptime.TotalMilliseconds), SiloJsonContext.Default.HealthzResponse));
        return endpoints;
    }
}

[JsonSerializable(typeof(HealthzResponse))]
internal sealed partial class SiloJsonContext : JsonSerializerContext;
