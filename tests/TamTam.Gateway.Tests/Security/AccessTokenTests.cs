using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using TamTam.Gateway.Security;
using TamTam.Protocol;

namespace TamTam.Gateway.Tests.Security;

/// <summary>The token format of docs/security.md: minting, verifying, and every way a token is refused.</summary>
public sealed class AccessTokenTests
{
    // The vector of docs/security.md, section 1.4.
    private const string VectorKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private const string VectorClaims =
        """{"kid":"k1","link":"billing","node":"worker-1","bind":["invoices/**"],"send":["orders","shop:orders/*"],"exp":1893456000}""";
    private const string VectorToken =
        "tt1.eyJraWQiOiJrMSIsImxpbmsiOiJiaWxsaW5nIiwibm9kZSI6Indvcmtlci0xIiwiYmluZCI6WyJpbnZvaWNlcy8qKiJdLCJzZW5kIjpbIm9yZGVycyIsInNob3A6b3JkZXJzLyoiXSwiZXhwIjoxODkzNDU2MDAwfQ"
        + ".K3d4Zmg6b8hKOakh3-9JiynnP1fw-QQf5-2bgMr2So8";

    private static readonly DateTimeOffset Now = new(2029, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Key = Convert.FromBase64String(VectorKey);

    private static readonly AccessToken VectorClaimsObject = new()
    {
        Link = "billing",
        Node = "worker-1",
        Bind = ["invoices/**"],
        Send = ["orders", "shop:orders/*"],
        ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1_893_456_000),
    };

    [Fact]
    public void The_issuer_writes_the_documented_vector_byte_for_byte()
    {
        string token = new AccessTokenIssuer("k1", Key).Issue(VectorClaimsObject);

        Assert.Equal(VectorToken, token);
        string[] parts = token.Split('.');
        Assert.Equal(VectorClaims, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_of_the_first_two_parts_as_any_language_computes_it()
    {
        int second = VectorToken.LastIndexOf('.');
        byte[] mac = HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(VectorToken[..second]));

        Assert.Equal(Base64Url.EncodeToString(mac), VectorToken[(second + 1)..]);
        Assert.Equal("2b777866683a6fc84a39a921dfef498b29e73f57f0f9041fe7ed9b80caf64a8f", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void A_minted_token_verifies_to_the_same_claims_and_key_id()
    {
        AccessTokenValidation result = Validator().Validate(VectorToken);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal("k1", result.KeyId);
        Assert.Equal(VectorClaimsObject, result.Token);
        Assert.Equal(["orders", "shop:orders/*"], result.Token!.Send);
    }

    [Fact]
    public void Claims_round_trip_with_non_ascii_names_and_without_optional_claims()
    {
        var claims = new AccessToken { Link = "zürich", ExpiresAt = Now.AddHours(1) };
        string token = new AccessTokenIssuer("key.2024-01_a", Key).Issue(claims);

        AccessTokenValidation result = Validator(keyId: "key.2024-01_a").Validate(token);

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(claims, result.Token);
        Assert.Null(result.Token!.Node);
        Assert.Empty(result.Token.Bind);
        Assert.Empty(result.Token.Send);
        Assert.DoesNotContain("\\u", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1])), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_ids_compare_ignoring_case_as_configuration_keys_do()
    {
        string token = new AccessTokenIssuer("K1", Key).Issue(VectorClaimsObject);

        Assert.True(Validator(keyId: "k1").Validate(token).IsValid);
    }

    [Fact]
    public void An_expired_token_is_202_and_one_expiring_this_second_is_too()
    {
        var issuer = new AccessTokenIssuer("k1", Key);

        AccessTokenValidation expired = Validator().Validate(issuer.Issue(VectorClaimsObject with { ExpiresAt = Now.AddSeconds(-1) }));
        AccessTokenValidation now = Validator().Validate(issuer.Issue(VectorClaimsObject with { ExpiresAt = Now }));
        AccessTokenValidation later = Validator().Validate(issuer.Issue(VectorClaimsObject with { ExpiresAt = Now.AddSeconds(1) }));

        Assert.Equal((ErrorCode.TokenExpired, "k1"), (expired.Error, expired.KeyId));
        Assert.Null(expired.Token);
        Assert.Equal(ErrorCode.TokenExpired, now.Error);
        Assert.True(later.IsValid);
    }

    [Fact]
    public void A_bad_signature_is_201_even_when_the_token_has_also_expired()
    {
        string token = new AccessTokenIssuer("k1", AccessTokenIssuer.GenerateKey()).Issue(VectorClaimsObject with { ExpiresAt = Now.AddDays(-1) });

        AccessTokenValidation result = Validator().Validate(token);

        Assert.Equal(ErrorCode.AuthFailed, result.Error);
        Assert.Contains("signature", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_id_is_201()
    {
        string token = new AccessTokenIssuer("k2", Key).Issue(VectorClaimsObject);

        AccessTokenValidation result = Validator().Validate(token);

        Assert.Equal(ErrorCode.AuthFailed, result.Error);
        Assert.Contains("\"k2\"", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Flipping_any_single_character_of_the_token_is_refused_with_201()
    {
        AccessTokenValidator validator = Validator();
        char[] characters = VectorToken.ToCharArray();
        for (int i = 0; i < characters.Length; i++)
        {
            char original = characters[i];
            characters[i] = original == 'A' ? 'B' : 'A';
            AccessTokenValidation result = validator.Validate(new string(characters));
            Assert.True(result.Error == ErrorCode.AuthFailed, $"position {i}: {result.Error} {result.Detail}");
            characters[i] = original;
        }
    }

    [Fact]
    public void Claims_widened_after_signing_are_refused()
    {
        string widened = VectorClaims.Replace("\"link\":\"billing\"", "\"link\":\"*\"", StringComparison.Ordinal);
        string token = $"tt1.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(widened))}.{VectorToken.Split('.')[2]}";

        Assert.Equal(ErrorCode.AuthFailed, Validator().Validate(token).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tt1")]
    [InlineData("tt1.")]
    [InlineData("tt1..")]
    [InlineData("TT1.e30.AAAA")]
    [InlineData("tt2.e30.AAAA")]
    [InlineData("tt1.e30")]
    [InlineData("tt1.e30.AAAA.AAAA")]
    [InlineData("tt1.e30=.AAAA")]
    [InlineData("tt1.e3 0.AAAA")]
    [InlineData("tt1.e31.AAAA")]
    [InlineData("tt1.!!!.AAAA")]
    public void Malformed_tokens_are_201(string token)
    {
        AccessTokenValidation result = Validator().Validate(token);

        Assert.Equal(ErrorCode.AuthFailed, result.Error);
        Assert.Null(result.Token);
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }

    [Theory]
    [InlineData("""{"kid":"k1","link":"billing"}""", "exp")]
    [InlineData("""{"kid":"k1","exp":1893456000}""", "link")]
    [InlineData("""{"link":"billing","exp":1893456000}""", "kid")]
    [InlineData("""{"kid":"k1","link":"billing","exp":1893456000,"admin":true}""", "unknown claim")]
    [InlineData("""{"kid":"k1","link":"billing","link":"*","exp":1893456000}""", "twice")]
    [InlineData("""{"kid":"k1","link":"billing","exp":1.893456e9}""", "exp")]
    [InlineData("""{"kid":"k1","link":"billing","exp":"1893456000"}""", "exp")]
    [InlineData("""{"kid":"k1","link":"billing","exp":-1}""", "exp")]
    [InlineData("""{"kid":"k1","link":"billing","node":null,"exp":1893456000}""", "string")]
    [InlineData("""{"kid":"k1","link":"billing","bind":"in","exp":1893456000}""", "array")]
    [InlineData("""{"kid":"k1","link":"billing","bind":[["in"]],"exp":1893456000}""", "")]
    [InlineData("""{"kid":"k1","link":"billing","exp":1893456000} {}""", "")]
    [InlineData("""[{"kid":"k1","link":"billing","exp":1893456000}]""", "object")]
    public void Claims_that_break_the_rules_are_201_before_the_signature_is_checked(string claims, string reason)
    {
        AccessTokenValidation result = Validator().Validate(Sign(claims));

        Assert.Equal(ErrorCode.AuthFailed, result.Error);
        Assert.Contains(reason, result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"kid":"k1","link":"bill ing","exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"a:b","exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"billing","node":"*","exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"billing","bind":["a/**/b"],"exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"billing","bind":["ord*"],"exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"billing","send":["a:b:c"],"exp":1893456000}""")]
    [InlineData("""{"kid":"k1","link":"billing","send":[""],"exp":1893456000}""")]
    public void Signed_claims_with_invalid_values_are_201(string claims)
    {
        AccessTokenValidation result = Validator().Validate(Sign(claims));

        Assert.Equal(ErrorCode.AuthFailed, result.Error);
        Assert.Contains("claims", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_in_any_order_and_with_whitespace_verify()
    {
        AccessTokenValidation result = Validator().Validate(Sign("""{ "exp": 1893456000, "send": [ "orders" ], "link": "billing", "kid": "k1" }"""));

        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(["orders"], result.Token!.Send);
    }

    [Theory]
    [InlineData("k 1")]
    [InlineData("k:1")]
    [InlineData("")]
    public void An_issuer_refuses_a_bad_key_id(string keyId) =>
        Assert.Throws<ArgumentException>(() => new AccessTokenIssuer(keyId, Key));

    [Fact]
    public void An_issuer_refuses_a_key_shorter_than_32_bytes() =>
        Assert.Throws<ArgumentException>(() => new AccessTokenIssuer("k1", new byte[31]));

    [Theory]
    [InlineData("bill ing", null, null, null)]
    [InlineData("billing", "*", null, null)]
    [InlineData("billing", null, "a/**/b", null)]
    [InlineData("billing", null, "in*", null)]
    [InlineData("billing", null, null, ":orders")]
    [InlineData("billing", null, null, "a:b:c")]
    public void Claims_refuse_bad_values_when_set(string link, string? node, string? bind, string? send) =>
        Assert.Throws<ArgumentException>(() => new AccessToken
        {
            Link = link,
            Node = node,
            Bind = bind is null ? [] : [bind],
            Send = send is null ? [] : [send],
            ExpiresAt = Now,
        });

    [Fact]
    public void Expiry_keeps_whole_seconds()
    {
        var claims = new AccessToken { Link = "billing", ExpiresAt = Now.AddMilliseconds(999) };

        Assert.Equal(Now, claims.ExpiresAt);
    }

    private static AccessTokenValidator Validator(string keyId = "k1") =>
        new(new Dictionary<string, byte[]> { [keyId] = Key }, new FixedClock(Now));

    /// <summary>Signs raw claims JSON as docs/security.md says, whatever it holds.</summary>
    private static string Sign(string claimsJson)
    {
        string signingInput = "tt1." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claimsJson));
        return signingInput + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Key, Encoding.ASCII.GetBytes(signingInput)));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
