using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using TamTam.Gateway.Sessions;

namespace TamTam.Gateway.Transports;

/// <summary>
/// Serves the wire protocol on a Kestrel endpoint:
/// <c>kestrel.ListenLocalhost(7420, o => o.UseConnectionHandler&lt;TcpConnectionHandler&gt;())</c>.
/// Each connection becomes one session over the connection's duplex pipe.
/// </summary>
public sealed class TcpConnectionHandler : ConnectionHandler
{
    private readonly GatewaySessionHost _sessions;

    public TcpConnectionHandler(GatewaySessionHost sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        _sessions = sessions;
    }

    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        // Kestrel signals this when it stops: the session says 211 and closes instead of waiting to be aborted.
        CancellationToken closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            ?? CancellationToken.None;
        return _sessions.RunAsync(connection.Transport, connection.ConnectionId, "tcp", connection.RemoteEndPoint?.ToString(), closeRequested);
    }
}
