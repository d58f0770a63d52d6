using TamTam.Protocol;

namespace TamTam.Gateway.Security;

/// <summary>
/// The outcome of <see cref="AccessTokenValidator.Validate(ReadOnlySpan{byte})"/>: the token's claims and key id,
/// or the error a session answers with — 201 (AUTH_FAILED: malformed, unknown key id, bad signature) or 202
/// (TOKEN_EXPIRED) — and a detail that never repeats the token.
/// </summary>
public readonly record struct AccessTokenValidation
{
    private readonly string? _detail;

    private AccessTokenValidation(AccessToken? token, string? keyId, ErrorCode error, string detail)
    {
        Token = token;
        KeyId = keyId;
        Error = error;
        _detail = detail;
    }

    /// <summary>The verified claims; <see langword="null"/> when the token was refused.</summary>
    public AccessToken? Token { get; }

    /// <summary>The key id the token names, once it could be read (also on 202, and on 201 for a bad signature).</summary>
    public string? KeyId { get; }

    /// <summary><see cref="ErrorCode.None"/>, <see cref="ErrorCode.AuthFailed"/> or <see cref="ErrorCode.TokenExpired"/>.</summary>
    public ErrorCode Error { get; }

    /// <summary>Why the token was refused, in English; empty when it was accepted.</summary>
    public string Detail => _detail ?? string.Empty;

    /// <summary>True when the token verified and has not expired.</summary>
    public bool IsValid => Error == ErrorCode.None && Token is not null;

    /// <summary>No token, and anonymous access is on: the session is unrestricted.</summary>
    internal static AccessTokenValidation Anonymous => default;

    internal static AccessTokenValidation Valid(AccessToken token, string keyId) => new(token, keyId, ErrorCode.None, string.Empty);

    internal static AccessTokenValidation Refused(ErrorCode error, string detail, string? keyId = null) => new(null, keyId, error, detail);
}
