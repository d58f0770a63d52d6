using TamTam.Storage.Internal;

namespace TamTam.Storage.Tests.Logs;

public sealed class PathNameEncoderTests
{
    [Theory]
    [InlineData("billing", "billing")]
    [InlineData("node-7_a.b", "node-7_a.b")]
    [InlineData("orders/eu/new", "orders%2Feu%2Fnew")]
    [InlineData(".", "%2E")]
    [InlineData("..", "%2E.")]
    [InlineData(".hidden", "%2Ehidden")]
    [InlineData("a b%", "a%20b%25")]
    [InlineData("~tmp", "%7Etmp")]
    [InlineData("\u00e9", "%C3%A9")]
    public void Encodes_to_a_safe_component_and_decodes_back(string name, string encoded)
    {
        Assert.Equal(encoded, PathNameEncoder.Encode(name));
        Assert.True(PathNameEncoder.TryDecode(encoded, out var decoded));
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("%41")]
    [InlineData("%2e")]
    [InlineData("a%2")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Refuses_to_decode_anything_but_the_canonical_form(string encoded) =>
        Assert.False(PathNameEncoder.TryDecode(encoded, out _));

    [Fact]
    public void Long_names_are_shortened_with_a_hash_and_stay_distinct()
    {
        var a = new string('\u65e5', 200) + "a";
        var b = new string('\u65e5', 200) + "b";

        var encodedA = PathNameEncoder.Encode(a);
        var encodedB = PathNameEncoder.Encode(b);

        Assert.InRange(encodedA.Length, PathNameEncoder.MaxEncodedLength - 2, PathNameEncoder.MaxEncodedLength);
        Assert.NotEqual(encodedA, encodedB);
        Assert.Contains('~', encodedA);
        Assert.False(PathNameEncoder.TryDecode(encodedA, out _));
    }

    [Fact]
    public void Refuses_names_that_have_no_utf8_form() =>
        Assert.Throws<ArgumentException>(() => PathNameEncoder.Encode("a\ud800b"));
}
