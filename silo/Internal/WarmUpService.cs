using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using TamTam.Client;
using TamTam.Gateway.Security;
using TamTam.Gateway.Transports;
using TamTam.Grains.Links;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Storage.Diagnostics;
using TamTam.Storage.Local;

namespace TamTam.Silo.Internal;

/// <summary>
/// Runs the silo's own message path before its listeners open, so that the first clients after a start or a rolling
/// update find it compiled and sized: <see cref="WarmUpOptions.Messages"/> acknowledged messages from one node to another
/// of a link of its own (<see cref="WarmUpLinks"/>), through the in-memory gateway, the link orchestrator and a log, with
/// the same SDK a client uses. The link is activated on this silo and logs into a directory of its own under the data
/// path (<c>warm-up/&lt;link&gt;</c>), removed afterwards; its log never reaches the interchange's storage (only its two
/// sessions' directory entries, cleared at LEAVE), nor LINKS. Registered after Orleans and before the web host, so it runs
/// once the silo is in the cluster and before Kestrel accepts a connection; a warm-up that fails or runs out of time is
/// logged and the silo starts anyway.
/// </summary>
internal sealed class WarmUpService(
    IOptions<WarmUpOptions> options,
    IOptions<SecurityOptions> security,
    InMemoryGatewayConnector connector,
    WarmUpLinks links,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    SiloOptions siloOptions,
    StorageMetrics storageMetrics,
    IServer server,
    ILoggerFactory loggers) : IHostedService
{
    private const string Port = "warm-up";

    // Small segments, so that the link's checkpoints let go of what is settled as the run goes: for 200,000 messages the
    // directory peaked at 54 MB (the audit trail 25 MB of it), against 115 MB with the default 64 MiB.
    private const long ScratchSegmentBytes = 4L * 1024 * 1024;

    // Under the data path, whatever the storage backend: on disk, where the image's small in-memory /tmp is not.
    private const string WarmUpFolder = "warm-up";
    private const int PayloadBytes = 256;

    // As W1 sends (docs/benchmarks.md): at most this many messages without a final status.
    private const int Outstanding = 8_192;

    // How long the end waits for the link to close its logs before its directory is removed.
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger("TamTam.Silo.WarmUp");

    /// <summary>What the last warm-up did; null when none ran.</summary>
    internal WarmUpReport? Report { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WarmUpOptions settings = options.Value;
        if (settings.Messages == 0)
        {
            return;
        }

        string link = WarmUpLinks.NewName();
        string? token = null;
        if (!security.Value.AllowAnonymous)
        {
            token = IssueToken(link, settings);
            if (token is null)
            {
                _logger.WarmUpWithoutKey();
                return;
            }
        }

        string directory = Path.Combine(Path.GetFullPath(siloOptions.DataPath), WarmUpFolder, link);
        var store = new LocalSegmentLogStore(new LocalStorageOptions { RootPath = directory, SegmentSizeBytes = ScratchSegmentBytes }, storageMetrics, loggers.CreateLogger<LocalSegmentLogStore>());
        links.Add(link, store);
        _logger.WarmUpStarted(settings.Messages, link, directory, settings.Timeout);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.Timeout);
        long started = Stopwatch.GetTimestamp();
        var run = new Run(settings.Messages);
        Task activation = Task.CompletedTask;
        try
        {
            activation = ActivateHereAsync(link);
            await activation.WaitAsync(limit.Token).ConfigureAwait(false);
            await RunAsync(link, token, run, limit.Token).ConfigureAwait(false);
            long ms = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            _logger.WarmUpFinished(run.Delivered, ms, ms == 0 ? 0 : run.Delivered * 1000 / ms);
            run.Finished = true;
        }
        catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
        {
            _logger.WarmUpCut(run.Delivered, settings.Messages, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, e);
        }
        finally
        {
            if (!run.Joined)
            {
                // No node of the run joined, so none leaves, and the link would stay open until Orleans collects it idle.
                await CloseUnjoinedLinkAsync(link, activation).ConfigureAwait(false);
            }

            bool listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.Count > 0;
            bool removed = await CleanUpAsync(link, store, directory).ConfigureAwait(false);
            Report = new WarmUpReport(link, directory, run.Delivered, run.Finished, listening, removed, Stopwatch.GetElapsedTime(started));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Activates the link on this silo: the call carries Orleans' placement hint, which every placement honours.</summary>
    private async Task ActivateHereAsync(string link)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            await grains.GetGrain<ILinkGrain>(link).GetSummaryAsync().ConfigureAwait(false);
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    private async Task RunAsync(string link, string? token, Run run, CancellationToken cancellationToken)
    {
        var clientOptions = new TamTamClientOptions
        {
            Uri = new Uri("memory://warm-up"),
            TransportFactory = connector.ConnectAsync,
            ClientName = "tamtam-silo/warm-up",
            AuthToken = token,
            Reconnect = ReconnectOptions.Disabled,
        };
        await using TamTamClient receiver = await TamTamClient.ConnectAsync(clientOptions, cancellationToken).ConfigureAwait(false);
        TamTamClient? sender = null;
        bool left = false;
        try
        {
            await receiver.JoinAsync(link, "receiver", cancellationToken).ConfigureAwait(false);
            run.Joined = true;
            await receiver.BindAsync(Port, PortMode.Unicast, subtree: false, cancellationToken).ConfigureAwait(false);
            sender = await TamTamClient.ConnectAsync(clientOptions, cancellationToken).ConfigureAwait(false);
            await sender.JoinAsync(link, "sender", cancellationToken).ConfigureAwait(false);

            Task acking = AcknowledgeAsync(receiver, run.Messages, cancellationToken);
            byte[] payload = RandomNumberGenerator.GetBytes(PayloadBytes);
            // Not disposed: a run cut short leaves statuses that release it after this method is gone.
            var unsettled = new SemaphoreSlim(Outstanding);
            int window = sender.MaxInflight is 0 or > 1_024 ? 1_024 : (int)sender.MaxInflight;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(window, run.Messages)).Select(_ => SendLoopAsync(sender, unsettled, payload)))
                .ConfigureAwait(false);

            // Every status in: all the permits back.
            for (int i = 0; i < Outstanding; i++)
            {
                await unsettled.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await acking.ConfigureAwait(false);
            await sender.LeaveAsync(cancellationToken).ConfigureAwait(false);
            await receiver.LeaveAsync(cancellationToken).ConfigureAwait(false);
            left = true;
        }
        finally
        {
            if (!left)
            {
                // A run cut short leaves too, within a bound of its own: the link closes its logs once its nodes are gone,
                // so its directory can go at once rather than after the sessions time out.
                await LeaveQuietlyAsync(sender, receiver).ConfigureAwait(false);
            }

            if (sender is not null)
            {
                await sender.DisposeAsync().ConfigureAwait(false);
            }
        }

        async Task SendLoopAsync(TamTamClient from, SemaphoreSlim unsettled, byte[] payload)
        {
            while (run.TakeNext())
            {
                await unsettled.WaitAsync(cancellationToken).ConfigureAwait(false);
                SendReceipt receipt = await from.SendAsync(Port, payload, options: null, cancellationToken).ConfigureAwait(false);
                _ = SettleAsync(receipt, unsettled);
            }
        }

        async Task SettleAsync(SendReceipt receipt, SemaphoreSlim unsettled)
        {
            try
            {
                if ((await receipt.Completion.ConfigureAwait(false)).IsDelivered)
                {
                    run.CountDelivered();
                }
            }
            catch (Exception e) when (e is TamTamException or OperationCanceledException)
            {
                // Not delivered (or the run was cut and its clients closed): the count says so.
            }
            finally
            {
                unsettled.Release();
            }
        }
    }

    /// <summary>
    /// Tells the link of a run that no node joined to close, once the call that activates it is answered, all within
    /// <see cref="CloseWait"/>. Only then: a link whose nodes left has closed already, and a call would activate it again.
    /// Nor before the activating call is answered: that call, still queued at an activation told to close, would be
    /// carried to a new activation, one that may begin after the clean-up ended the link's registration and so keep its
    /// log in the interchange's own store.
    /// </summary>
    private async Task CloseUnjoinedLinkAsync(string link, Task activation)
    {
        using var bound = new CancellationTokenSource(CloseWait);
        try
        {
            await activation.WaitAsync(bound.Token).ConfigureAwait(false);
            await grains.GetGrain<ILinkGrain>(link).AsReference<IGrainManagementExtension>().DeactivateOnIdle(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Still open, or never activated: the clean-up says which, and leaves the files of an open one where they are.
        }
    }

    /// <summary>LEAVE for each node of a run cut short, bounded by <see cref="CloseWait"/>; a node that cannot leave is left to time out.</summary>
    private static async Task LeaveQuietlyAsync(params TamTamClient?[] clients)
    {
        using var bound = new CancellationTokenSource(CloseWait);
        foreach (TamTamClient? client in clients)
        {
            if (client is null)
            {
                continue;
            }

            try
            {
                await client.LeaveAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TamTamException or OperationCanceledException or TimeoutException)
            {
                // Not joined, or its connection gone: its session times out instead.
            }
        }
    }

    private static async Task AcknowledgeAsync(TamTamClient receiver, int messages, CancellationToken cancellationToken)
    {
        int received = 0;
        await foreach (IncomingMessage message in receiver.ReceiveAsync(cancellationToken).ConfigureAwait(false))
        {
            await message.AckAsync(cancellationToken).ConfigureAwait(false);
            if (++received == messages)
            {
                return;
            }
        }
    }

    /// <summary>A token for the warm-up's two nodes, signed with one of the silo's keys; null without a key.</summary>
    private string? IssueToken(string link, WarmUpOptions settings)
    {
        foreach ((string keyId, string key) in security.Value.Keys)
        {
            var issuer = new AccessTokenIssuer(keyId, Convert.FromBase64String(key.Trim()));
            return issuer.Issue(new AccessToken
            {
                Link = link,
                Bind = [Port],
                Send = [Port],
                ExpiresAt = DateTimeOffset.UtcNow + settings.Timeout + TimeSpan.FromMinutes(1),
            });
        }

        return null;
    }

    /// <summary>Waits for the link to close its logs, then removes its directory; false when it did not close in time.</summary>
    private async Task<bool> CleanUpAsync(string link, LocalSegmentLogStore store, string directory)
    {
        using var wait = new CancellationTokenSource(CloseWait);
        try
        {
            await links.RemoveAsync(link, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Still open: its files stay where they are rather than vanish under a live log.
            _logger.WarmUpLinkNotClosed(link, CloseWait, directory);
            return false;
        }

        await store.DisposeAsync().ConfigureAwait(false);
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            string parent = Path.GetDirectoryName(directory)!;
            if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
            {
                Directory.Delete(parent);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.WarmUpNotRemoved(directory, e);
            return false;
        }
    }

    /// <summary>The run's counters, shared by its send loops.</summary>
    private sealed class Run(int messages)
    {
        private int _taken;
        private long _delivered;

        public int Messages => messages;

        public long Delivered => Interlocked.Read(ref _delivered);

        public bool TakeNext() => Interlocked.Increment(ref _taken) <= messages;

        public void CountDelivered() => Interlocked.Increment(ref _delivered);

        public bool Finished { get; set; }

        /// <summary>Whether the run's first node joined its link (and so leaves it, whatever ends the run).</summary>
        public bool Joined { get; set; }
    }
}

/// <summary>
/// What a warm-up did: its link and directory, the messages delivered, whether it ran to its end, whether the web host
/// had bound any listener when it ended (it must not have), whether its directory was removed, and how long it took.
/// </summary>
internal sealed record WarmUpReport(string Link, string Directory, long Delivered, bool Finished, bool ListenerOpen, bool Removed, TimeSpan Elapsed);
