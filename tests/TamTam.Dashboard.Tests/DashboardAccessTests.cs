using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using TamTam.Dashboard.Tests.Infrastructure;

namespace TamTam.Dashboard.Tests;

/// <summary>With anonymous access off, the dashboard's API wants an operator's token, and the page asks for one.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardAccessTests(Chromium chromium, SecureDashboardSilo silo) : IClassFixture<SecureDashboardSilo>
{
    private const float Wait = 30_000;

    [Fact]
    public async Task Api_refuses_without_a_token_or_with_a_link_token_and_answers_an_operator_token()
    {
        using var http = new HttpClient { BaseAddress = silo.Dashboard, Timeout = TimeSpan.FromSeconds(30) };

        using HttpResponseMessage anonymous = await http.GetAsync(new Uri("dashboard/api/snapshot", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);

        using HttpResponseMessage events = await http.GetAsync(new Uri("dashboard/api/events", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);

        using HttpResponseMessage forged = await Get(http, "dashboard/api/snapshot", "tt1.e30.AAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        using HttpResponseMessage linkOnly = await Get(http, "dashboard/api/snapshot", silo.Token("shop"));
        Assert.Equal(HttpStatusCode.Forbidden, linkOnly.StatusCode);

        using HttpResponseMessage operatorToken = await Get(http, "dashboard/api/snapshot", silo.Token("*"));
        Assert.Equal(HttpStatusCode.OK, operatorToken.StatusCode);
        Assert.Contains("\"silos\":", await operatorToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The page itself carries no data and is served to anyone.
        using HttpResponseMessage page = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Page_asks_for_a_token_and_goes_live_once_given_one()
    {
        IPage page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(silo.Dashboard.ToString());
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync(new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#board")).ToBeHiddenAsync();

        await page.FillAsync("#token", silo.Token("*"));
        await page.ClickAsync("#login button[type=submit]");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#silos tbody")).ToContainTextAsync("Active", new() { Timeout = Wait });
        Assert.StartsWith("tt1.", await page.EvaluateAsync<string>("() => sessionStorage.getItem('tamtam.dashboard.token')"), StringComparison.Ordinal);
        await page.CloseAsync();
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
