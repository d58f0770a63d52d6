using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Diagnostics;
using TamTam.Gateway.Sessions;
using TamTam.Gateway.Transports.Internal;

namespace TamTam.Gateway.Transports;

/// <summary>
/// Serves the wire protocol over WebSocket on an HTTP endpoint (mapped by
/// <see cref="WebSocketEndpointRouteBuilderExtensions.MapTamTamWebSocket"/>, after <c>app.UseWebSockets()</c>).
/// Frames travel in binary messages whose boundaries carry no meaning: a frame may span messages and a
/// message may hold several frames. A text message ends the session with the fatal error 117.
/// </summary>
public sealed class WebSocketConnectionHandler
{
    /// <summary>The transport's name in logs.</summary>
    public const string TransportName = "ws";

    private readonly GatewaySessionHost _sessions;
    private readonly GatewayStatistics _statistics;
    private readonly ILogger<WebSocketConnectionHandler> _logger;
    private readonly int _maxBody;

    public WebSocketConnectionHandler(GatewaySessionHost sessions, GatewayStatistics statistics, IOptions<GatewayOptions> options,
        ILogger<WebSocketConnectionHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _sessions = sessions;
        _statistics = statistics;
        _logger = logger;
        _maxBody = options.Value.MaxBody;
    }

    /// <summary>
    /// Accepts the request's WebSocket and runs one session over it until either side closes; a request that
    /// is not a WebSocket upgrade is answered 400.
    /// </summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            _logger.NotAWebSocketRequest(context.TraceIdentifier);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        string connectionId = context.TraceIdentifier;
        string? remote = context.Connection.RemoteIpAddress is { } address ? $"{address}:{context.Connection.RemotePort}" : null;
        var pipe = new WebSocketSessionPipe(socket, connectionId, _maxBody, _statistics, _logger);

        // Server shutdown reaches the session through the host's own stopping token (error 211).
        await pipe.RunAsync(transport => _sessions.RunAsync(transport, connectionId, TransportName, remote, CancellationToken.None))
            .ConfigureAwait(false);
    }
}
