using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using TamTam.Gateway.Diagnostics;

namespace TamTam.Silo.Http;

/// <summary>The liveness answer of <c>GET /healthz</c> and <c>/healthz/live</c>: <c>{"status":"healthy","uptime_ms":1234}</c>.</summary>
public sealed record HealthzResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("uptime_ms")] long UptimeMs);

/// <summary>The readiness answer of <c>GET /healthz/ready</c>: <c>{"status":"ready","checks":{"cluster":true,"gateway":true,"storage":true}}</c>.</summary>
public sealed record ReadinessResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("checks")] ReadinessChecks Checks);

/// <summary>Each readiness check: the silo is an active cluster member, the gateway listens, the data directory takes a write.</summary>
public sealed record ReadinessChecks(
    [property: JsonPropertyName("cluster")] bool Cluster,
    [property: JsonPropertyName("gateway")] bool Gateway,
    [property: JsonPropertyName("storage")] bool Storage);

/// <summary>Maps the host's health endpoints.</summary>
public static class HealthEndpoints
{
    /// <summary>
    /// Maps <c>GET /healthz</c> and <c>GET /healthz/live</c> (liveness: 200 while the process serves HTTP) and
    /// <c>GET /healthz/ready</c> (readiness: 200 when the silo has joined its cluster, the gateway listens and storage
    /// is writable, else 503 with the failing checks).
    /// </summary>
    public static IEndpointRouteBuilder MapTamTamHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", Live);
        endpoints.MapGet("/healthz/live", Live);
        endpoints.MapGet("/healthz/ready", static async (ReadinessProbe probe, CancellationToken cancellationToken) =>
        {
            ReadinessResponse readiness = await probe.CheckAsync(cancellationToken).ConfigureAwait(false);
            return TypedResults.Json(readiness, SiloJsonContext.Default.ReadinessResponse,
                statusCode: readiness.Status == "ready" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    private static JsonHttpResult<HealthzResponse> Live(GatewayStatistics statistics) =>
        TypedResults.Json(new HealthzResponse("healthy", (long)statistics.Uptime.TotalMilliseconds), SiloJsonContext.Default.HealthzResponse);
}

[JsonSerializable(typeof(HealthzResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
internal sealed partial class SiloJsonContext : JsonSerializerContext;
