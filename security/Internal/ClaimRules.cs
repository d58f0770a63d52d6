using TamTam.Protocol;

namespace TamTam.Gateway.Security.Internal;

/// <summary>The value rules of access-token claims and key ids (docs/security.md, section 2).</summary>
internal static class ClaimRules
{
    /// <summary>The longest key id.</summary>
    public const int MaxKeyIdLength = 64;

    /// <summary>The shortest signing key: HMAC-SHA256's own output size.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The latest expiry a token may carry: 9999-12-31T23:59:59Z, the last second <see cref="DateTimeOffset"/> holds.</summary>
    public const long MaxExpiry = 253_402_300_799;

    /// <summary>The wildcard for "any link" in the <c>link</c> claim and in send patterns.</summary>
    public const string AnyLink = "*";

    /// <summary>
    /// A link, node or station name of docs/protocol.md section 2.1 without <c>*</c>: in a token <c>*</c> is only
    /// ever a wildcard, so a name that merely contains one (legal on the wire) cannot be mistaken for a pattern.
    /// </summary>
    public static bool IsName(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Contains('*', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            _ = Utf8Text.Name(value);
            return true;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    /// <summary>1-64 characters of <c>A-Z a-z 0-9 . _ -</c>: safe as a configuration key and in logs.</summary>
    public static bool IsKeyId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxKeyIdLength)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static string KeyIdRule => $"1-{MaxKeyIdLength} characters of A-Z a-z 0-9 . _ -";
}
