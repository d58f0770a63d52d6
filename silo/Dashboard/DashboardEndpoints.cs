using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Streams;
using TamTam.Silo.Dashboard.Internal;

namespace TamTam.Silo.Dashboard;

/// <summary>The live dashboard on the HTTP port (silo/README.md, "Dashboard"; docs/security.md, "The dashboard").</summary>
public static class DashboardEndpoints
{
    /// <summary>The server-sent events stream of snapshots.</summary>
    public const string EventsPath = "/dashboard/api/events";

    /// <summary>The current snapshot as JSON.</summary>
    public const string SnapshotPath = "/dashboard/api/snapshot";

    private static readonly byte[] EventStart = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    /// <summary>Registers what the dashboard reads: the snapshot source and the counters it turns into rates.</summary>
    public static IServiceCollection AddTamTamDashboard(this IServiceCollection services)
    {
        services.AddSingleton<DashboardCounters>();
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<DashboardAccess>();
        services.AddSingleton<SnapshotSources>();
        services.AddSingleton(sp => new DashboardSnapshots(sp.GetRequiredService<SnapshotSources>(), sp.GetRequiredService<DashboardCounters>(),
            sp.GetRequiredService<GatewayStatistics>(), sp.GetRequiredService<GatewayStreams>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Maps <c>GET /</c> (the page), <c>GET /dashboard/{file}</c> (its script and style), <c>GET /dashboard/api/snapshot</c>
    /// (one snapshot) and <c>GET /dashboard/api/events</c> (a snapshot per second as server-sent events). The API answers
    /// 401 or 403 under the access rules of <see cref="DashboardAccess"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapTamTamDashboard(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        // The counters count from start, not from the first viewer.
        endpoints.ServiceProvider.GetRequiredService<DashboardCounters>();
        endpoints.MapGet("/", static (DashboardAssets assets) => Asset(assets, "index.html"));
        endpoints.MapGet("/dashboard/{file}", static (string file, DashboardAssets assets) => Asset(assets, file));
        endpoints.MapGet(SnapshotPath, static async (HttpContext context, DashboardAccess access, DashboardSnapshots snapshots) =>
        {
            if (Refuse(context, access, out _) is { } refusal)
            {
                return refusal;
            }

            byte[] snapshot = await snapshots.CurrentAsync().ConfigureAwait(false);
            context.Response.Headers.CacheControl = "no-store";
            return Results.Bytes(snapshot, "application/json");
        });
        endpoints.MapGet(EventsPath, static async (HttpContext context, DashboardAccess access, DashboardSnapshots snapshots,
            IHostApplicationLifetime lifetime) =>
        {
            if (Refuse(context, access, out DateTimeOffset? expiresAt) is { } refusal)
            {
                await refusal.ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await StreamAsync(context, snapshots, lifetime, expiresAt).ConfigureAwait(false);
        });
        return endpoints;
    }

    /// <summary>
    /// Writes the shared snapshot as an event each interval until the viewer goes, the host stops or the viewer's token
    /// expires (the page then reconnects, is refused 401 and asks for a fresh token).
    /// </summary>
    private static async Task StreamAsync(HttpContext context, DashboardSnapshots snapshots, IHostApplicationLifetime lifetime,
        DateTimeOffset? expiresAt)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        byte[]? sent = null;
        try
        {
            while (!stop.IsCancellationRequested && (expiresAt is null || snapshots.Time.GetUtcNow() < expiresAt))
            {
                byte[] snapshot = await snapshots.CurrentAsync().WaitAsync(stop.Token).ConfigureAwait(false);
                if (!ReferenceEquals(snapshot, sent))
                {
                    await response.Body.WriteAsync(EventStart, stop.Token).ConfigureAwait(false);
                    await response.Body.WriteAsync(snapshot, stop.Token).ConfigureAwait(false);
                    await response.Body.WriteAsync(EventEnd, stop.Token).ConfigureAwait(false);
                    await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                    sent = snapshot;
                }

                await Task.Delay(DashboardSnapshots.Interval, snapshots.Time, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The viewer went away or the host stops: the stream just ends.
        }
    }

    private static IResult? Refuse(HttpContext context, DashboardAccess access, out DateTimeOffset? expiresAt)
    {
        if (access.Check(context.Request, out expiresAt) is not { } refusal)
        {
            return null;
        }

        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return Results.Json(new DashboardRefusal(refusal.Error), DashboardJsonContext.Default.DashboardRefusal, statusCode: refusal.Status);
    }

    private static IResult Asset(DashboardAssets assets, string file) =>
        assets.TryGet(file, out (byte[] Content, string ContentType) asset)
            ? Results.Bytes(asset.Content, asset.ContentType)
            : Results.NotFound();
}
