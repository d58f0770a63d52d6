using System.Security.Cryptography;
using TamTam.Gateway.Security.Internal;

namespace TamTam.Gateway.Security;

/// <summary>
/// Mints access tokens (docs/security.md): signs <see cref="AccessToken"/> claims with one HMAC-SHA256 key under
/// its key id. The interchange verifies them with the same key, configured as
/// <c>TamTam:Security:Keys:&lt;keyId&gt;</c>. The <c>tamtam token</c> command is this class on the command line.
/// </summary>
/// <remarks>Thread-safe: an issuer holds only its key id and a private copy of its key.</remarks>
/// <example>
/// <code>
/// var issuer = new AccessTokenIssuer("k1", Convert.FromBase64String(configuredKey));
/// string token = issuer.Issue(new AccessToken { Link = "billing", Send = ["orders"], ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });
/// </code>
/// </example>
public sealed class AccessTokenIssuer
{
    private readonly byte[] _key;

    /// <param name="keyId">The key's id: 1-64 characters of <c>A-Z a-z 0-9 . _ -</c>.</param>
    /// <param name="key">The key: at least 32 bytes, best 32 random bytes (<see cref="GenerateKey"/>).</param>
    /// <exception cref="ArgumentException">The key id or the key breaks these rules.</exception>
    public AccessTokenIssuer(string keyId, ReadOnlySpan<byte> key)
    {
        if (!ClaimRules.IsKeyId(keyId))
        {
            throw new ArgumentException($"The key id \"{keyId}\" must be {ClaimRules.KeyIdRule}.", nameof(keyId));
        }

        if (key.Length < ClaimRules.MinKeyBytes)
        {
            throw new ArgumentException($"A signing key has at least {ClaimRules.MinKeyBytes} bytes (got {key.Length}).", nameof(key));
        }

        KeyId = keyId;
        _key = key.ToArray();
    }

    /// <summary>The key id written into every token this issuer signs.</summary>
    public string KeyId { get; }

    /// <summary>A new random key of 32 bytes, for <c>TamTam:Security:Keys</c> (as base64) and for an issuer.</summary>
    public static byte[] GenerateKey() => RandomNumberGenerator.GetBytes(ClaimRules.MinKeyBytes);

    /// <summary>The signed token for <paramref name="claims"/>: ASCII, to be sent as HELLO's <c>auth_token</c>.</summary>
    public string Issue(AccessToken claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return AccessTokenFormat.Write(claims, KeyId, _key);
    }
}
