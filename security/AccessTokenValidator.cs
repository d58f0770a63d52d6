using System.Collections.Frozen;
using TamTam.Gateway.Security.Internal;
using TamTam.Protocol;

namespace TamTam.Gateway.Security;

/// <summary>
/// Verifies access tokens (docs/security.md) against the configured keys: the format, the key id, the
/// HMAC-SHA256 signature (compared in constant time), the claims' values, then the expiry against the clock.
/// </summary>
/// <remarks>Thread-safe and allocation-light: one validator serves every HELLO of a gateway.</remarks>
public sealed class AccessTokenValidator
{
    private readonly FrozenDictionary<string, byte[]> _keys;
    private readonly TimeProvider _timeProvider;

    /// <param name="keys">Key id → key (at least 32 bytes). Key ids compare ignoring ASCII case, as configuration keys do.</param>
    /// <param name="timeProvider">The clock expiries are compared with.</param>
    /// <exception cref="ArgumentException">A key id or key breaks the rules of <see cref="AccessTokenIssuer"/>.</exception>
    public AccessTokenValidator(IReadOnlyDictionary<string, byte[]> keys, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var copy = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach ((string keyId, byte[] key) in keys)
        {
            if (!ClaimRules.IsKeyId(keyId))
            {
                throw new ArgumentException($"The key id \"{keyId}\" must be {ClaimRules.KeyIdRule}.", nameof(keys));
            }

            if (key is null || key.Length < ClaimRules.MinKeyBytes)
            {
                throw new ArgumentException($"The key \"{keyId}\" must have at least {ClaimRules.MinKeyBytes} bytes.", nameof(keys));
            }

            copy.Add(keyId, [.. key]);
        }

        _keys = copy.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _timeProvider = timeProvider;
    }

    /// <summary>The ids of the keys this validator accepts tokens from.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Verifies a token as HELLO carries it: ASCII bytes.</summary>
    public AccessTokenValidation Validate(ReadOnlySpan<byte> token)
    {
        // The claims are read before the signature is checked, to learn the key id; reading is strict and bounded
        // by the token's size (at most 65,535 bytes in HELLO), and nothing read is trusted until the MAC matches.
        if (!AccessTokenFormat.TryRead(token, out TokenParts parts, out string error))
        {
            return AccessTokenValidation.Refused(ErrorCode.AuthFailed, $"malformed access token: {error}");
        }

        RawClaims raw = parts.Claims;
        string keyId = raw.KeyId;
        if (!ClaimRules.IsKeyId(keyId) || !_keys.TryGetValue(keyId, out byte[]? key))
        {
            return AccessTokenValidation.Refused(ErrorCode.AuthFailed,
                ClaimRules.IsKeyId(keyId) ? $"the access token's key id \"{keyId}\" is not known here" : "the access token's key id is malformed");
        }

        if (!AccessTokenFormat.SignatureMatches(token, parts.SigningLength, key))
        {
            return AccessTokenValidation.Refused(ErrorCode.AuthFailed, "the access token's signature does not verify", keyId);
        }

        AccessToken claims;
        try
        {
            claims = new AccessToken
            {
                Link = raw.Link,
                Node = raw.Node,
                Bind = raw.Bind,
                Send = raw.Send,
                Station = raw.Station,
                ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(raw.ExpiresAtSeconds),
            };
        }
        catch (ArgumentException exception)
        {
            // Signed, yet not something an issuer of this format writes.
            return AccessTokenValidation.Refused(ErrorCode.AuthFailed, $"the access token's claims are invalid: {exception.Message}", keyId);
        }

        if (claims.IsExpiredAt(_timeProvider.GetUtcNow()))
        {
            return AccessTokenValidation.Refused(ErrorCode.TokenExpired, $"the access token expired at {claims.ExpiresAt:u}", keyId);
        }

        return AccessTokenValidation.Valid(claims, keyId);
    }

    /// <summary>Verifies a token given as text.</summary>
    public AccessTokenValidation Validate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Validate(System.Text.Encoding.UTF8.GetBytes(token));
    }
}
