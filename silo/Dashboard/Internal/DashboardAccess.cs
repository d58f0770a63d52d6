using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TamTam.Gateway.Security;

namespace TamTam.Silo.Dashboard.Internal;

/// <summary>
/// Who may read the dashboard's API (docs/security.md, "The dashboard"): the same rules as a HELLO. A request without
/// a token is let in only while anonymous access is on; a token, when one is presented, must verify and be an
/// operator's token (its <c>link</c> claim is <c>*</c>, any link), since the dashboard shows every link.
/// </summary>
/// <remarks>The page and its script carry no data and are served to anyone; only <c>/dashboard/api/*</c> is checked.</remarks>
internal sealed class DashboardAccess
{
    private const string BearerPrefix = "Bearer ";

    private readonly bool _allowAnonymous;
    private readonly AccessTokenValidator? _validator;

    public DashboardAccess(IOptions<SecurityOptions> options, TimeProvider time)
    {
        SecurityOptions security = options.Value;
        _allowAnonymous = security.AllowAnonymous;
        var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        foreach ((string keyId, string key) in security.Keys)
        {
            keys[keyId] = Convert.FromBase64String(key.Trim());
        }

        _validator = keys.Count == 0 ? null : new AccessTokenValidator(keys, time);
    }

    /// <summary>
    /// Null when <paramref name="request"/> may read the API, else the refusal: 401 (no or bad token) or 403 (not an
    /// operator's token). <paramref name="expiresAt"/> is the admitted token's expiry, after which an open event stream ends.
    /// </summary>
    public (int Status, string Error)? Check(HttpRequest request, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        string? header = request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return _allowAnonymous ? null : (StatusCodes.Status401Unauthorized, "this interchange requires an access token (docs/security.md)");
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status401Unauthorized, "the Authorization header must be \"Bearer <token>\"");
        }

        if (_validator is null)
        {
            return (StatusCodes.Status401Unauthorized, "this interchange has no keys configured and accepts no access tokens");
        }

        AccessTokenValidation validation = _validator.Validate(header.AsSpan(BearerPrefix.Length).Trim().ToString());
        if (!validation.IsValid)
        {
            return (StatusCodes.Status401Unauthorized, validation.Detail);
        }

        expiresAt = validation.Token!.ExpiresAt;
        return validation.Token.Link == "*" ? null
            : (StatusCodes.Status403Forbidden, "the dashboard shows every link: it needs a token whose link claim is \"*\"");
    }
}
