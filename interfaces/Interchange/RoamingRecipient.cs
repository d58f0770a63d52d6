namespace TamTam.Interfaces.Interchange;

/// <summary>
/// The recipient a roaming link's messages wait for: the pseudo-node a station's session acts as when it ACKs or NACKs them.
/// No node can take its name: ':' is not allowed in names (docs/protocol.md section 2.1).
/// </summary>
public static class RoamingRecipient
{
    public const string Node = ":interchange";
}
