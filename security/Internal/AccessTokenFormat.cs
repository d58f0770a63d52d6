using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TamTam.Gateway.Security.Internal;

/// <summary>
/// The byte format of access tokens, version <c>tt1</c> (docs/security.md, section 1):
/// <c>tt1.&lt;base64url(claims JSON)&gt;.&lt;base64url(HMAC-SHA256(key, "tt1." + claims part))&gt;</c>.
/// </summary>
/// <remarks>
/// Reading is strict: one exact shape, canonical base64url (no padding, no whitespace, no stray bits), a JSON
/// object with known members only, each at most once. A verifier that ignored an unknown claim would grant more
/// than a newer issuer meant; a new claim therefore comes with a new version prefix.
/// </remarks>
internal static class AccessTokenFormat
{
    /// <summary>The version prefix, with its separator.</summary>
    public const string Prefix = "tt1.";

    /// <summary>The length of the signature part: 32 bytes of HMAC-SHA256 in unpadded base64url.</summary>
    public const int SignatureLength = 43;

    private static ReadOnlySpan<byte> PrefixUtf8 => "tt1."u8;

    // The JSON travels base64url-encoded and is never embedded in HTML, so names are written as UTF-8, not \u-escaped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 2,
    };

    /// <summary>Signs <paramref name="claims"/> with <paramref name="key"/> under <paramref name="keyId"/>.</summary>
    public static string Write(AccessToken claims, string keyId, ReadOnlySpan<byte> key)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json, WriterOptions))
        {
            // The reference order; a verifier accepts any order (docs/security.md, section 2).
            writer.WriteStartObject();
            writer.WriteString("kid"u8, keyId);
            writer.WriteString("link"u8, claims.Link);
            if (claims.Node is { } node)
            {
                writer.WriteString("node"u8, node);
            }

            WriteArray(writer, "bind"u8, claims.Bind);
            WriteArray(writer, "send"u8, claims.Send);
            if (claims.Station is { } station)
            {
                writer.WriteString("station"u8, station);
            }

            writer.WriteNumber("exp"u8, claims.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        string signingInput = Prefix + Base64Url.EncodeToString(json.WrittenSpan);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput), mac);
        return signingInput + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>
    /// Splits <paramref name="token"/> into its signing input and signature and reads its claims, without
    /// checking the signature (<see cref="SignatureMatches"/>) or the claims' values.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> token, out TokenParts parts, out string error)
    {
        parts = default;
        if (!token.StartsWith(PrefixUtf8))
        {
            error = "not a TamTam access token: it does not start with \"tt1.\"";
            return false;
        }

        int dot = token[PrefixUtf8.Length..].IndexOf((byte)'.');
        if (dot <= 0)
        {
            error = "not a TamTam access token: expected tt1.<claims>.<signature>";
            return false;
        }

        int signingLength = PrefixUtf8.Length + dot;
        ReadOnlySpan<byte> claimsPart = token[PrefixUtf8.Length..signingLength];
        ReadOnlySpan<byte> signaturePart = token[(signingLength + 1)..];
        if (signaturePart.IndexOf((byte)'.') >= 0)
        {
            error = "not a TamTam access token: more than three parts";
            return false;
        }

        if (!TryDecodeCanonical(claimsPart, out byte[]? json))
        {
            error = "the claims part is not canonical base64url (RFC 4648 section 5, without padding)";
            return false;
        }

        if (!TryReadClaims(json!, out RawClaims claims, out error))
        {
            return false;
        }

        parts = new TokenParts(signingLength, claims);
        return true;
    }

    /// <summary>
    /// True when the signature part of <paramref name="token"/> is exactly the base64url HMAC-SHA256 of its first
    /// <paramref name="signingLength"/> bytes under <paramref name="key"/>, compared in constant time.
    /// </summary>
    public static bool SignatureMatches(ReadOnlySpan<byte> token, int signingLength, ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, token[..signingLength], mac);
        Span<byte> expected = stackalloc byte[SignatureLength];
        int written = Base64Url.EncodeToUtf8(mac, expected);

        // Comparing the encoded text also refuses every other spelling of the same 32 bytes. The length is no secret.
        return CryptographicOperations.FixedTimeEquals(expected[..written], token[(signingLength + 1)..]);
    }

    private static void WriteArray(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static bool TryDecodeCanonical(ReadOnlySpan<byte> text, out byte[]? bytes)
    {
        bytes = null;
        if (text.IsEmpty)
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromUtf8(text);
        }
        catch (FormatException)
        {
            return false;
        }

        // The decoder forgives padding, whitespace and stray low bits; the one canonical spelling is the re-encoding.
        byte[] canonical = new byte[Base64Url.GetEncodedLength(bytes.Length)];
        int written = Base64Url.EncodeToUtf8(bytes, canonical);
        return canonical.AsSpan(0, written).SequenceEqual(text);
    }

    private static bool TryReadClaims(byte[] json, out RawClaims claims, out string error)
    {
        claims = default;
        string? kid = null, link = null, node = null, station = null;
        List<string>? bind = null, send = null;
        long? exp = null;
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the claims are not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                bool duplicate = name switch
                {
                    "kid" => !TryString(ref reader, ref kid),
                    "link" => !TryString(ref reader, ref link),
                    "node" => !TryString(ref reader, ref node),
                    "bind" => !TryArray(ref reader, ref bind),
                    "send" => !TryArray(ref reader, ref send),
                    "station" => !TryString(ref reader, ref station),
                    "exp" => !TryExpiry(ref reader, ref exp),
                    _ => throw new JsonException($"unknown claim \"{name}\""),
                };
                if (duplicate)
                {
                    error = $"the claim \"{name}\" appears twice";
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "the claims are not one JSON object";
                return false;
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a value of the wrong JSON type, or a string that is not valid UTF-8.
            error = $"the claims are not valid: {exception.Message}";
            return false;
        }

        if (kid is null || link is null || exp is null)
        {
            error = $"the claims lack {(kid is null ? "\"kid\"" : link is null ? "\"link\"" : "\"exp\"")}";
            return false;
        }

        claims = new RawClaims(kid, link, node, bind ?? [], send ?? [], exp.Value, station);
        error = string.Empty;
        return true;
    }

    // Each returns false when the claim was already set; a value of the wrong type throws JsonException.
    private static bool TryString(ref Utf8JsonReader reader, ref string? value)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("a claim that must be a string is not one");
        }

        if (value is not null)
        {
            return false;
        }

        value = reader.GetString();
        return true;
    }

    private static bool TryArray(ref Utf8JsonReader reader, ref List<string>? values)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("\"bind\" and \"send\" are arrays of strings");
        }

        bool first = values is null;
        var read = new List<string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.String)
        {
            read.Add(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("\"bind\" and \"send\" are arrays of strings");
        }

        values ??= read;
        return first;
    }

    private static bool TryExpiry(ref Utf8JsonReader reader, ref long? value)
    {
        // An integer only: no sign, fraction or exponent, so that every verifier reads the same second.
        if (reader.TokenType != JsonTokenType.Number || reader.HasValueSequence || reader.ValueSpan.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !reader.TryGetInt64(out long seconds) || seconds is < 1 or > ClaimRules.MaxExpiry)
        {
            throw new JsonException($"\"exp\" is an integer number of seconds, 1 … {ClaimRules.MaxExpiry}");
        }

        if (value is not null)
        {
            return false;
        }

        value = seconds;
        return true;
    }
}

/// <summary>Where a token's signing input ends, and its claims as read (not yet checked).</summary>
internal readonly record struct TokenParts(int SigningLength, RawClaims Claims);

/// <summary>A token's claims as the JSON holds them, before their values are checked.</summary>
internal readonly record struct RawClaims(string KeyId, string Link, string? Node, IReadOnlyList<string> Bind, IReadOnlyList<string> Send,
    long ExpiresAtSeconds, string? Station = null);
