using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace TamTam.Gateway.Transports;

/// <summary>Maps the WebSocket transport on a host's HTTP endpoints.</summary>
public static class WebSocketEndpointRouteBuilderExtensions
{
    /// <summary>The path the silo serves the WebSocket transport on.</summary>
    public const string DefaultPattern = "/ws";

    /// <summary>
    /// Maps <paramref name="pattern"/> (a WebSocket upgrade; anything else is answered 400) to <see cref="WebSocketConnectionHandler"/>. The
    /// host calls <c>app.UseWebSockets()</c> first and registers the handler with
    /// <see cref="TransportServiceCollectionExtensions.AddTamTamGatewayTransports"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapTamTamWebSocket(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        // Map, not MapGet: a WebSocket over HTTP/2 arrives as CONNECT.
        RequestDelegate handler = static context => context.RequestServices.GetRequiredService<WebSocketConnectionHandler>().HandleAsync(context);
        return endpoints.Map(pattern, handler);
    }
}
