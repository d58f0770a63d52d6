namespace TamTam.Gateway.Sessions;

/// <summary>Where a session is in its life (docs/protocol.md, section 6.2); decides which frames it accepts.</summary>
internal enum SessionState
{
    /// <summary>Connected, before WELCOME: only HELLO is accepted.</summary>
    Connected,

    /// <summary>WELCOME sent: connection, query and JOIN frames.</summary>
    Welcomed,

    /// <summary>Joined a link as a node: messaging, parts and streams.</summary>
    Joined,

    /// <summary>Registered as an external orchestrator (station).</summary>
    Station,
}
