using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;
using TamTam.Grains.Links;
using TamTam.Silo;
using TamTam.Silo.Internal;

namespace TamTam.EndToEnd.Tests.Startup;

/// <summary>
/// The warm-up (silo/README.md, "Warm-up"): with <c>TamTam:WarmUp:Messages</c> set, the silo sends itself that many
/// acknowledged messages through its in-memory gateway before its listeners open, on a link of its own that never reaches
/// the interchange's storage or LINKS, and removes what it wrote.
/// </summary>
public sealed class WarmUpTests
{
    [Fact]
    public async Task The_silo_warms_up_before_its_listeners_open_and_leaves_nothing_behind()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:WarmUp:Messages=3000");

        WarmUpReport report = ReportOf(silo.Host)!;
        Assert.StartsWith(WarmUpLinks.NamePrefix, report.Link, StringComparison.Ordinal);
        Assert.Equal(3000, report.Delivered);
        Assert.True(report.Finished);
        Assert.False(report.ListenerOpen);
        Assert.NotEmpty(silo.Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses); // as it is now

        // Its log went to a directory of its own under the data path, removed once the link closed; the interchange's
        // storage (the data path's logs) never saw it.
        Assert.Equal(Path.Combine(Path.GetFullPath(data.Path), "warm-up", report.Link), report.Directory);
        Assert.True(report.Removed);
        Assert.False(Directory.Exists(Path.Combine(data.Path, "warm-up")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path, "*" + WarmUpLinks.NamePrefix + "*", SearchOption.AllDirectories));
        Assert.False(silo.Host.Services.GetRequiredService<WarmUpLinks>().Contains(report.Link));

        // LINKS does not list it, and the silo serves its clients as usual.
        await using TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = silo.Uri }).Within();
        await client.JoinAsync("after-warm-up", "n1").Within();
        await client.BindAsync("in").Within();
        SendReceipt receipt = await client.SendAsync("in", "hello"u8.ToArray()).Within();
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        await foreach (IncomingMessage message in client.ReceiveAsync(timeout.Token))
        {
            await message.AckAsync().Within();
            break;
        }

        Assert.True((await receipt.Completion.Within()).IsDelivered);
        LinkList links = await client.ListLinksAsync().Within();
        Assert.Equal(["after-warm-up"], links.Links.Select(l => l.Name));
    }

    [Fact]
    public async Task With_anonymous_sessions_off_the_warm_up_signs_its_own_token()
    {
        using var data = new DataDirectory();
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, "--TamTam:WarmUp:Messages=500",
            "--TamTam:Security:AllowAnonymous=false", $"--TamTam:Security:Keys:k1={key}");

        WarmUpReport report = ReportOf(silo.Host)!;
        Assert.Equal(500, report.Delivered);
        Assert.True(report.Finished);
    }

    [Fact]
    public async Task Without_the_setting_no_warm_up_runs()
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path);
        Assert.Null(ReportOf(silo.Host, expected: false));
    }

    [Theory]
    [InlineData(10_000_000, "00:00:01")] // cut mid-run: its nodes leave
    [InlineData(1_000, "00:00:00.001")] // cut before its link's activation or first JOIN is answered: no node joined to leave
    public async Task A_warm_up_cut_short_by_its_timeout_closes_its_link_and_leaves_nothing_behind(int messages, string timeout)
    {
        using var data = new DataDirectory();
        await using InProcessSilo silo = await InProcessSilo.StartAsync(data.Path, $"--TamTam:WarmUp:Messages={messages}",
            $"--TamTam:WarmUp:Timeout={timeout}");

        WarmUpReport report = ReportOf(silo.Host)!;
        Assert.False(report.Finished);
        Assert.InRange(report.Delivered, 0, messages - 1);

        // The link closed its logs at once, and the directory went with them.
        Assert.True(report.Removed, $"the warm-up link was still open after the clean-up's wait ({report.Elapsed} in all)");
        Assert.False(Directory.Exists(Path.Combine(data.Path, "warm-up")));
        Assert.False(silo.Host.Services.GetRequiredService<WarmUpLinks>().Contains(report.Link));

        // No activation of the link outlived its registration: nothing of it is in the interchange's own storage, now or
        // a moment later.
        await Task.Delay(TimeSpan.FromSeconds(1));
        string[] stray = [.. Directory.EnumerateFileSystemEntries(data.Path, "*", SearchOption.AllDirectories).Where(p => p.Contains(report.Link, StringComparison.Ordinal))];
        Assert.True(stray.Length == 0, $"the warm-up link left {string.Join(", ", stray)}");
    }

    [Theory]
    [InlineData("--TamTam:WarmUp:Messages=-1", "TamTam:WarmUp:Messages")]
    [InlineData("--TamTam:WarmUp:Messages=10000001", "TamTam:WarmUp:Messages")]
    [InlineData("--TamTam:WarmUp:Timeout=00:00:00", "TamTam:WarmUp:Timeout")]
    [InlineData("--TamTam:WarmUp:Mesages=10", "Mesages")]
    public async Task A_warm_up_setting_out_of_range_stops_the_start_with_its_key(string argument, string named)
    {
        using var data = new DataDirectory();
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => InProcessSilo.StartAsync(data.Path, argument));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private static WarmUpReport? ReportOf(TamTamSilo silo, bool expected = true)
    {
        WarmUpService service = silo.Services.GetServices<IHostedService>().OfType<WarmUpService>().Single();
        Assert.Equal(expected, service.Report is not null);
        return service.Report;
    }
}
