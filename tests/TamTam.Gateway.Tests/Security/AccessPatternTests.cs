using TamTam.Gateway.Security;

namespace TamTam.Gateway.Tests.Security;

/// <summary>The wildcard rules of docs/security.md section 3, as a table.</summary>
public sealed class AccessPatternTests
{
    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddHours(1);

    [Theory]
    // Exact names.
    [InlineData("orders", "orders", false, true)]
    [InlineData("orders", "orders/eu", false, false)]
    [InlineData("orders", "order", false, false)]
    [InlineData("orders", "Orders", false, false)]
    [InlineData("orders/eu", "orders/eu", false, true)]
    [InlineData("orders/eu", "orders", false, false)]
    // '*' is exactly one segment.
    [InlineData("*", "orders", false, true)]
    [InlineData("*", "orders/eu", false, false)]
    [InlineData("orders/*", "orders/eu", false, true)]
    [InlineData("orders/*", "orders", false, false)]
    [InlineData("orders/*", "orders/eu/new", false, false)]
    [InlineData("*/new", "orders/new", false, true)]
    [InlineData("*/new", "orders/old", false, false)]
    [InlineData("orders/*/new", "orders/eu/new", false, true)]
    // A final '**' is the port itself and everything below it.
    [InlineData("orders/**", "orders", false, true)]
    [InlineData("orders/**", "orders/eu", false, true)]
    [InlineData("orders/**", "orders/eu/new/x", false, true)]
    [InlineData("orders/**", "ordersx", false, false)]
    [InlineData("orders/**", "invoices/orders", false, false)]
    [InlineData("**", "anything/at/all", false, true)]
    [InlineData("*/eu/**", "orders/eu/new", false, true)]
    [InlineData("*/eu/**", "orders/us/new", false, false)]
    // SUBTREE needs a final '**' that covers the subtree's root.
    [InlineData("orders", "orders", true, false)]
    [InlineData("orders/*", "orders/eu", true, false)]
    [InlineData("orders/**", "orders", true, true)]
    [InlineData("orders/**", "orders/eu", true, true)]
    [InlineData("orders/eu/**", "orders", true, false)]
    [InlineData("**", "orders", true, true)]
    // Names compare byte for byte, non-ASCII included.
    [InlineData("zürich/*", "zürich/in", false, true)]
    [InlineData("zürich/*", "zurich/in", false, false)]
    public void Bind_patterns_match_ports(string pattern, string port, bool subtree, bool allowed)
    {
        var token = new AccessToken { Link = "billing", Bind = [pattern], ExpiresAt = Later };

        Assert.Equal(allowed, token.AllowsBind(port, subtree));
    }

    [Theory]
    // No link part: the sender's own link only, however the destination is written.
    [InlineData("orders", "billing", null, "orders", true)]
    [InlineData("orders", "billing", "billing", "orders", true)]
    [InlineData("orders", "billing", "shop", "orders", false)]
    // A named link: that link only.
    [InlineData("shop:orders", "billing", "shop", "orders", true)]
    [InlineData("shop:orders", "billing", null, "orders", false)]
    [InlineData("shop:orders", "shop", null, "orders", true)]
    [InlineData("shop:orders/*", "billing", "shop", "orders/eu", true)]
    [InlineData("shop:orders/*", "billing", "shopx", "orders/eu", false)]
    // '*' as the link: any link, own included.
    [InlineData("*:alerts/**", "billing", "ops", "alerts/disk", true)]
    [InlineData("*:alerts/**", "billing", null, "alerts", true)]
    [InlineData("*:alerts/**", "billing", "ops", "metrics", false)]
    public void Send_patterns_match_addresses(string pattern, string ownLink, string? destinationLink, string port, bool allowed)
    {
        var token = new AccessToken { Link = "*", Send = [pattern], ExpiresAt = Later };

        Assert.Equal(allowed, token.AllowsSend(ownLink, destinationLink, port));
    }

    [Fact]
    public void A_subtree_send_needs_a_pattern_that_covers_the_subtree()
    {
        var token = new AccessToken { Link = "billing", Send = ["orders/*", "shop:**"], ExpiresAt = Later };

        Assert.False(token.AllowsSend("billing", null, "orders", subtree: true));
        Assert.True(token.AllowsSend("billing", null, "orders/eu"));
        Assert.True(token.AllowsSend("billing", "shop", "anything", subtree: true));
    }

    [Fact]
    public void Any_of_several_patterns_is_enough_and_none_allows_nothing()
    {
        var several = new AccessToken { Link = "billing", Bind = ["a", "b/**"], Send = ["x", "y:z"], ExpiresAt = Later };
        var none = new AccessToken { Link = "billing", ExpiresAt = Later };

        Assert.True(several.AllowsBind("b/c"));
        Assert.True(several.AllowsSend("billing", "y", "z"));
        Assert.False(none.AllowsBind("a"));
        Assert.False(none.AllowsSend("billing", null, "x"));
    }

    [Theory]
    [InlineData("billing", null, "billing", "anyone", true)]
    [InlineData("billing", null, "shop", "anyone", false)]
    [InlineData("billing", "worker-1", "billing", "worker-1", true)]
    [InlineData("billing", "worker-1", "billing", "worker-2", false)]
    [InlineData("*", null, "shop", "anyone", true)]
    [InlineData("*", "worker-1", "shop", "worker-1", true)]
    [InlineData("*", "worker-1", "shop", "worker-2", false)]
    public void Join_matches_the_link_and_the_node_claims(string linkClaim, string? nodeClaim, string link, string node, bool allowed)
    {
        var token = new AccessToken { Link = linkClaim, Node = nodeClaim, ExpiresAt = Later };

        Assert.Equal(allowed, token.AllowsJoin(link, node));
    }

    [Fact]
    public void Nodes_may_be_listed_in_the_own_link_the_token_link_and_links_the_send_patterns_reach()
    {
        var token = new AccessToken { Link = "billing", Send = ["shop:orders"], ExpiresAt = Later };
        var anywhere = new AccessToken { Link = "billing", Send = ["*:alerts"], ExpiresAt = Later };

        Assert.True(token.AllowsQuery("billing", "billing"));
        Assert.True(token.AllowsQuery("billing", "shop"));
        Assert.False(token.AllowsQuery("billing", "ops"));
        Assert.True(anywhere.AllowsQuery("billing", "ops"));
    }

    [Theory]
    [InlineData("a/**/b")]
    [InlineData("**/a")]
    [InlineData("ord*")]
    [InlineData("a/***")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a b")]
    [InlineData("")]
    public void Malformed_port_patterns_are_refused(string pattern) =>
        Assert.Throws<ArgumentException>(() => new AccessToken { Link = "billing", Bind = [pattern], ExpiresAt = Later });

    [Theory]
    [InlineData(":orders")]
    [InlineData("shop:")]
    [InlineData("a:b:c")]
    [InlineData("sh op:orders")]
    [InlineData("sh*:orders")]
    public void Malformed_address_patterns_are_refused(string pattern) =>
        Assert.Throws<ArgumentException>(() => new AccessToken { Link = "billing", Send = [pattern], ExpiresAt = Later });
}
