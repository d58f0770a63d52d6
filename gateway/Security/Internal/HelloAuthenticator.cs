using TamTam.Protocol;

namespace TamTam.Gateway.Security.Internal;

/// <summary>
/// Decides what a HELLO's <c>auth_token</c> admits (docs/protocol.md section 6.1 step 3, docs/security.md
/// section 5): an empty token is an unrestricted, anonymous session when anonymous access is on and 201
/// otherwise; any other token must verify (201, or 202 when expired), whatever the anonymous setting.
/// </summary>
internal sealed class HelloAuthenticator
{
    private readonly AccessTokenValidator? _validator;

    public HelloAuthenticator(SecurityOptions options, TimeProvider timeProvider)
    {
        AllowAnonymous = options.AllowAnonymous;
        Dictionary<string, byte[]> keys = options.DecodeKeys();
        _validator = keys.Count == 0 ? null : new AccessTokenValidator(keys, timeProvider);
    }

    public bool AllowAnonymous { get; }

    /// <summary>
    /// A valid result with a token (restricted session), a valid result without one (anonymous), or a refusal.
    /// </summary>
    public AccessTokenValidation Authenticate(ReadOnlySpan<byte> token)
    {
        if (token.IsEmpty)
        {
            return AllowAnonymous
                ? AccessTokenValidation.Anonymous
                : AccessTokenValidation.Refused(ErrorCode.AuthFailed, "this interchange requires an access token (docs/security.md)");
        }

        return _validator is null
            ? AccessTokenValidation.Refused(ErrorCode.AuthFailed, "this interchange has no keys configured and accepts no access tokens")
            : _validator.Validate(token);
    }
}
