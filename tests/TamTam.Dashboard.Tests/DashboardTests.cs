using System.Security.Cryptography;
using Microsoft.Playwright;
using TamTam.Client;
using TamTam.Dashboard.Tests.Infrastructure;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.Dashboard.Tests;

/// <summary>The page at <c>/</c> in headless Chromium, against a silo that messages flow through.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(Chromium chromium, DashboardSilo silo) : IClassFixture<DashboardSilo>
{
    /// <summary>Set to a path (docs/images/dashboard.png) to keep the screenshot of the page with traffic.</summary>
    private const string ScreenshotVariable = "TAMTAM_DASHBOARD_SCREENSHOT";

    private const float Wait = 30_000;

    [Fact]
    public async Task Dashboard_shows_links_nodes_ports_and_rates_change_as_messages_flow()
    {
        IPage page = await chromium.Context.NewPageAsync();
        await page.SetViewportSizeAsync(1100, 1250);
        await page.GotoAsync(silo.Dashboard.ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#silos tbody")).ToContainTextAsync("Active", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#links tr[data-key='shop']")).ToHaveCountAsync(0);

        // Billing acknowledges what it receives; audit acknowledges nothing, so its inbox depth grows with every message.
        await using TamTamClient billing = await Nodes.ListenAsync(silo.Uri, "shop", "billing", "orders/new");
        await using TamTamClient audit = await Nodes.ListenAsync(silo.Uri, "shop", "audit", "orders/audit");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, "shop", "web");
        using var traffic = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task sending = SendUntilCancelledAsync(sender, traffic.Token);
        Task acknowledging = AcknowledgeUntilCancelledAsync(billing, traffic.Token);

        await Assertions.Expect(page.Locator("#links tr[data-key='shop'] td").Nth(1)).ToHaveTextAsync("3", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#nodes tr[data-key='shop/billing']")).ToContainTextAsync("online", new() { Timeout = Wait });
        await Assertions.Expect(page.Locator("#ports tr[data-key='shop/orders/new']")).ToContainTextAsync("billing", new() { Timeout = Wait });
        await page.WaitForFunctionAsync("() => Number(document.querySelector(\"#links tr[data-key='shop'] td:nth-child(3)\").textContent.replace(/,/g, '')) >= 10",
            null, new() { Timeout = Wait });
        await page.WaitForFunctionAsync("() => Number(document.querySelector(\"#nodes tr[data-key='shop/audit'] td:nth-child(5)\").textContent.replace(/,/g, '')) > 0",
            null, new() { Timeout = Wait });
        await page.WaitForFunctionAsync("() => Number(document.getElementById('rate-messages-in').textContent.replace(/,/g, '')) > 0 && " +
            "Number(document.getElementById('rate-messages-out').textContent.replace(/,/g, '')) > 0", null, new() { Timeout = Wait });

        string screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        if (Environment.GetEnvironmentVariable(ScreenshotVariable) is { Length: > 0 } path)
        {
            // For the docs: half a minute of traffic on the rate lines.
            screenshot = path;
            await page.WaitForFunctionAsync("() => document.querySelector('#chart-messages-in polyline').getAttribute('points').split(' ').length >= 30",
                null, new() { Timeout = 45_000 });
        }

        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });

        await traffic.CancelAsync();
        await sending;
        await acknowledging;
        await page.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_shows_a_transfer_in_flight_with_its_progress_until_it_is_delivered()
    {
        IPage page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(silo.Dashboard.ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = Wait });

        await using TamTamClient archive = await Nodes.ListenAsync(silo.Uri, "vault", "archive", "backups");
        await using TamTamClient sender = await Nodes.JoinAsync(silo.Uri, "vault", "nightly");
        int partSize = sender.PartSize;
        const int Parts = 8;
        const int PartsBeforeTheGate = 4;
        using var content = new GatedStream(Parts * (long)partSize, PartsBeforeTheGate * (long)partSize);
        var messageId = Guid.CreateVersion7();
        Task<SendReceipt> upload = sender.SendStreamAsync("backups", content, new SendOptions { MessageId = messageId },
            new TransferOptions { Length = Parts * (long)partSize, Sha256 = SHA256.HashData(new byte[Parts * partSize]) });

        ILocator row = page.Locator($"#transfers tr[data-key='{messageId}']");
        await Assertions.Expect(row).ToContainTextAsync("staging", new() { Timeout = Wait });
        await Assertions.Expect(row).ToContainTextAsync($"{100 * PartsBeforeTheGate / Parts}%", new() { Timeout = Wait });

        content.Open();
        await upload.WaitAsync(TimeSpan.FromSeconds(30));
        await PartedTransfers.ReceiveOneAsync(archive, Stream.Null).WaitAsync(TimeSpan.FromSeconds(30));
        await Assertions.Expect(row).ToHaveCountAsync(0, new() { Timeout = Wait });
        await page.CloseAsync();
    }

    [Fact]
    public async Task Dashboard_fits_a_phone_screen_without_sideways_scrolling()
    {
        IPage page = await chromium.Context.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(silo.Dashboard.ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("live", new() { Timeout = Wait });

        bool fits = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");
        Assert.True(fits, "The page is wider than a 390 px phone screen.");
        await page.CloseAsync();
    }

    private static async Task SendUntilCancelledAsync(TamTamClient sender, CancellationToken cancellationToken)
    {
        byte[] payload = Nodes.Payload(64);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await sender.SendAsync("orders/new", payload, cancellationToken: cancellationToken);
                await sender.SendAsync("orders/audit", payload, cancellationToken: cancellationToken);
                await Task.Delay(20, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static async Task AcknowledgeUntilCancelledAsync(TamTamClient receiver, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (IncomingMessage message in receiver.ReceiveAsync(cancellationToken))
            {
                await message.AckAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The test has seen what it waited for.
        }
    }
}
