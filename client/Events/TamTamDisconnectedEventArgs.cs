namespace TamTam.Client.Events;

/// <summary>The client's connection was lost; it reconnects next (<see cref="WillReconnect"/>) or has ended.</summary>
public sealed class TamTamDisconnectedEventArgs(TamTamConnectionException reason, bool willReconnect) : EventArgs
{
    /// <summary>Why the connection ended: its <see cref="TamTamException.Code"/> is the server's fatal error, or None.</summary>
    public TamTamConnectionException Reason { get; } = reason;

    /// <summary>True when the client is about to reconnect and resume its session.</summary>
    public bool WillReconnect { get; } = willReconnect;
}
