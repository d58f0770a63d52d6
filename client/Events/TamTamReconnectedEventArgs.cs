namespace TamTam.Client.Events;

/// <summary>The client is connected again after a loss.</summary>
public sealed class TamTamReconnectedEventArgs(bool resumed, int attempts, Guid sessionId) : EventArgs
{
    /// <summary>
    /// True when the server resumed the session (WELCOME RESUMED): name, bindings and unacknowledged deliveries are
    /// back. False when the session had expired: the client opened a new one and joined its link again under the
    /// same node name (bindings and inbox are kept by the link).
    /// </summary>
    public bool Resumed { get; } = resumed;

    /// <summary>How many attempts it took.</summary>
    public int Attempts { get; } = attempts;

    /// <summary>The session now in use.</summary>
    public Guid SessionId { get; } = sessionId;
}
