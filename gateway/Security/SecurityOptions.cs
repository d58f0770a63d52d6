namespace TamTam.Gateway.Security;

/// <summary>
/// Who may open a session, bound from the configuration section <c>TamTam:Security</c> (docs/security.md).
/// Checked when the host starts; a bad value stops the start with a message naming its key (never its value).
/// </summary>
/// <remarks>
/// The defaults suit one machine: anonymous sessions are allowed, and the silo listens on loopback only. An
/// interchange reachable from a network should set <see cref="AllowAnonymous"/> to false and configure keys;
/// the silo logs a warning at start when anonymous access is on and it listens beyond loopback.
/// </remarks>
public sealed record SecurityOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "TamTam:Security";

    /// <summary>
    /// <c>TamTam:Security:AllowAnonymous</c>: whether a HELLO without a token opens an unrestricted session.
    /// True by default (the embedded, single-machine setup). A presented token is verified either way, and a
    /// session with a token is held to it.
    /// </summary>
    public bool AllowAnonymous { get; set; } = true;

    /// <summary>
    /// <c>TamTam:Security:Keys:&lt;keyId&gt;</c>: the HMAC-SHA256 keys tokens may be signed with, as standard
    /// base64 of at least 32 bytes, by key id (1-64 characters of <c>A-Z a-z 0-9 . _ -</c>, compared ignoring
    /// case). Several keys may be live at once, which is how a key is rotated.
    /// </summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The keys decoded; call after validation.</summary>
    internal Dictionary<string, byte[]> DecodeKeys()
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach ((string keyId, string key) in Keys)
        {
            keys[keyId] = Convert.FromBase64String(key.Trim());
        }

        return keys;
    }
}
