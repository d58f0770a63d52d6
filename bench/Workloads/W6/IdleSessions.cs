using System.Diagnostics;
using System.Net;
using TamTam.Client;

namespace TamTam.Bench.Workloads.W6;

/// <summary>
/// W6: opens <c>--sessions</c> sessions (HELLO/WELCOME) against a silo in its own process, holds them idle
/// for <c>--hold</c> seconds while they answer the server's heartbeats, and reports the silo's resident
/// memory per session ((VmRSS with the sessions − VmRSS before) / sessions) and how many sessions the server
/// still counted at the end (HEALTH's <c>silo.sessions</c>).
/// </summary>
internal static class IdleSessions
{
    private const int OpenConcurrency = 64;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(WorkloadOptions options)
    {
        SiloProcess? silo = null;
        IPEndPoint endPoint;
        int pid;
        if (options.Server is { } server)
        {
            pid = options.ServerPid ?? throw new ArgumentException("w6 --server needs --server-pid for the silo's memory");
            endPoint = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        }
        else
        {
            silo = await SiloProcess.StartAsync(options.SiloArguments, StartTimeout);
            endPoint = silo.EndPoint;
            pid = silo.Pid;
        }

        try
        {
            return await MeasureAsync(options, endPoint, pid, silo is null ? $"tamtam://{endPoint}" : "process");
        }
        finally
        {
            if (silo is not null)
            {
                await silo.DisposeAsync();
            }
        }
    }

    private static async Task<int> MeasureAsync(WorkloadOptions options, IPEndPoint endPoint, int pid, string serverName)
    {
        using var limit = new CancellationTokenSource(options.Limit);
        var uri = new Uri($"tamtam://{endPoint}");
        await using TamTamClient observer = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = uri, ClientName = "tamtam-bench/w6" });

        // Warm the server's paths for sessions (JIT, pools) with a few hundred, then let it settle.
        byte[] hello = IdleSession.Hello((uint)options.HeartbeatMs);
        await using (SessionSet warmup = await SessionSet.OpenAsync(endPoint, hello, 256, limit.Token))
        {
        }

        await Task.Delay(SettleTime);
        long rssBefore = SiloProcess.ReadKiB(pid, "VmRSS");
        long sessionsBefore = await ServerSessionsAsync(observer);

        var opening = Stopwatch.StartNew();
        await using SessionSet sessions = await SessionSet.OpenAsync(endPoint, hello, options.Sessions, limit.Token);
        double openSeconds = opening.Elapsed.TotalSeconds;
        long rssOpened = SiloProcess.ReadKiB(pid, "VmRSS");

        using var hold = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
        Task held = sessions.HoldAsync(hold.Token);
        await Task.Delay(TimeSpan.FromSeconds(options.HoldSeconds), limit.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        long rssHeld = SiloProcess.ReadKiB(pid, "VmRSS");
        long peak = SiloProcess.ReadKiB(pid, "VmHWM");
        long sessionsHeld = await ServerSessionsAsync(observer) - sessionsBefore;
        await hold.CancelAsync();
        await held;

        int opened = sessions.Count;
        ResultLine.Print(new
        {
            Workload = "w6",
            Transport = "tcp",
            Server = serverName,
            Sessions = options.Sessions,
            Opened = opened,
            FailedToOpen = sessions.Failures,
            HeldByServer = sessionsHeld,
            EndedDuringHold = sessions.Ended,
            FirstEnd = sessions.FirstEnd,
            PingsAnswered = sessions.Pings,
            HeartbeatMs = options.HeartbeatMs,
            HoldSeconds = options.HoldSeconds,
            OpenSeconds = Math.Round(openSeconds, 2),
            RssBeforeKib = rssBefore,
            RssOpenedKib = rssOpened,
            RssHeldKib = rssHeld,
            PeakRssKib = peak,
            RssPerSessionKib = opened == 0 ? 0 : Math.Round((double)(rssHeld - rssBefore) / opened, 2),
            RssPerSessionOpenedKib = opened == 0 ? 0 : Math.Round((double)(rssOpened - rssBefore) / opened, 2),
            Complete = opened == options.Sessions && sessionsHeld == options.Sessions,
            Date = Workload.Today,
        });
        return opened == options.Sessions && sessionsHeld == options.Sessions ? 0 : 1;
    }

    private static async Task<long> ServerSessionsAsync(TamTamClient observer)
    {
        HealthReport report = await observer.HealthAsync();
        return report.Figures.TryGetValue("silo.sessions", out long sessions) ? sessions : -1;
    }

    /// <summary>Many idle sessions, opened a bounded number at a time.</summary>
    private sealed class SessionSet : IAsyncDisposable
    {
        private readonly List<IdleSession> _sessions;

        private SessionSet(List<IdleSession> sessions, int failures)
        {
            _sessions = sessions;
            Failures = failures;
        }

        public int Count => _sessions.Count;

        public int Failures { get; }

        public int Ended => _sessions.Count(s => s.Ended is not null);

        public string? FirstEnd => _sessions.FirstOrDefault(s => s.Ended is not null)?.Ended;

        public long Pings => _sessions.Sum(s => (long)s.Pings);

        public static async Task<SessionSet> OpenAsync(IPEndPoint endPoint, byte[] hello, int count, CancellationToken cancellationToken)
        {
            var sessions = new List<IdleSession>(count);
            int next = 0;
            int failures = 0;
            string? firstFailure = null;
            await Task.WhenAll(Enumerable.Range(0, Math.Min(OpenConcurrency, count)).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) <= count && !cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        IdleSession session = await IdleSession.OpenAsync(endPoint, hello, cancellationToken);
                        lock (sessions)
                        {
                            sessions.Add(session);
                        }
                    }
                    catch (Exception exception) when (exception is not OutOfMemoryException)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstFailure, exception.Message, null);
                    }
                }
            }));
            if (firstFailure is not null)
            {
                await Console.Error.WriteLineAsync($"w6: {failures} session(s) failed to open; first: {firstFailure}");
            }

            return new SessionSet(sessions, failures);
        }

        public Task HoldAsync(CancellationToken cancellationToken) => Task.WhenAll(_sessions.Select(s => s.HoldAsync(cancellationToken)));

        public async ValueTask DisposeAsync()
        {
            foreach (IdleSession session in _sessions)
            {
                await session.DisposeAsync();
            }
        }
    }
}
