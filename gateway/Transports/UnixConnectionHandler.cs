using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using TamTam.Gateway.Sessions;

namespace TamTam.Gateway.Transports;

/// <summary>
/// Serves the wire protocol on a Kestrel Unix domain socket endpoint:
/// <c>kestrel.ListenUnixSocket("/run/tamtam.sock", o => o.UseConnectionHandler&lt;UnixConnectionHandler&gt;())</c>.
/// The same sessions as <see cref="TcpConnectionHandler"/>; only the transport name in logs differs.
/// </summary>
public sealed class UnixConnectionHandler : ConnectionHandler
{
    /// <summary>The transport's name in logs.</summary>
    public const string TransportName = "unix";

    private readonly GatewaySessionHost _sessions;

    public UnixConnectionHandler(GatewaySessionHost sessions)
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
        return _sessions.RunAsync(connection.Transport, connection.ConnectionId, TransportName, remote: null, closeRequested);
    }
}
