using Microsoft.Playwright;
using TamTam.Dashboard.Tests.Infrastructure;
using TamTam.Testing.Interchange;

namespace TamTam.Dashboard.Tests;

/// <summary>The page's "Stations and routes" in headless Chromium, against a silo that stations register with and leave.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StationsAndRoutesTests(Chromium chromium, DashboardSilo silo) : IClassFixture<DashboardSilo>
{
    private const float Wait = 30_000;

    [Fact]
    public async Task Dashboard_shows_a_station_and_its_route_in_ring_order_and_drops_them_when_it_leaves()
    {
        IPage page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(silo.Dashboard.ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#stations tbody")).ToContainTextAsync("no station registered", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#routes tbody")).ToContainTextAsync("no route known", new() { Timeout = Wait });

        await using RawStation relay = await RawStation.RegisterAsync(silo.Uri, "a-relay");
        await using (RawStation factory = await RawStation.RegisterAsync(silo.Uri, "factory", "plant"))
        {
            // The ring is the stations in byte order of their names: "a-relay" is offered first.
            ILocator station = page.Locator("#stations tr[data-key='factory'] td");
            await Assertions.Expect(station.Nth(0)).ToHaveTextAsync("2", new() { Timeout = Wait });
            await Assertions.Expect(station.Nth(2)).ToHaveTextAsync("plant");
            await Assertions.Expect(page.Locator("#stations tr[data-key='a-relay'] td").Nth(0)).ToHaveTextAsync("1");

            ILocator route = page.Locator("#routes tr[data-key='plant'] td");
            await Assertions.Expect(route.Nth(1)).ToHaveTextAsync("factory", new() { Timeout = Wait });
            await Assertions.Expect(route.Nth(2)).ToHaveTextAsync("registered");
            await Assertions.Expect(page.Locator("#interchange-unavailable")).ToBeHiddenAsync();
        }

        // Its connection closed: the station leaves, with its route; the other stays, first of the ring still.
        await Assertions.Expect(page.Locator("#stations tr[data-key='factory']")).ToHaveCountAsync(0, new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#routes tbody")).ToContainTextAsync("no route known", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#stations tr[data-key='a-relay'] td").Nth(0)).ToHaveTextAsync("1");
        await page.CloseAsync();
    }
}
