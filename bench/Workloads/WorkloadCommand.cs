using TamTam.Bench.Workloads.W1;
using TamTam.Client;

namespace TamTam.Bench.Workloads;

/// <summary>
/// The workload verbs of the bench (definitions and figures in docs/benchmarks.md).
/// Each run prints one JSON line per result on standard output; progress and errors go to standard error.
/// </summary>
internal static class WorkloadCommand
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- w1|w1-inproc|w2|w3|w4|w6|w7|w8 [options]
          w1          W1 acked unicast over TCP through the gateway, with the .NET client
          w1-inproc   W1 inside the silo process: ILinkGrain calls and an in-process observer, no gateway
          w1-cold     W1 over the first 200,000 messages of fresh silo processes (w1-cold --help for its options)
          w5          W5 large transfers through a silo process with the local payload store (w5 --help for its options)
          w5-stageblock  the blob service alone doing W5's Put Block and ranged reads (w5-stageblock for its options)
          unfinished  silo memory while connections hold unfinished 1 MiB frames and after they close (unfinished --help)
          --messages N      messages per result, split across the links (default 200000)
          --links K[,K...]  links, each with its own producer and consumer; one result per value (default 1)
          --server URI      a running interchange, e.g. tamtam://127.0.0.1:7420 (w1 only; default: start one
                            in this process on ephemeral ports with a temporary data directory)
          --seconds S       cap per result; what is unfinished then is reported incomplete (default 120)
          --window W        SENDs awaiting ACCEPTED per producer (default: the server's max_inflight)
          --outstanding O   messages per producer accepted and not yet settled (default 8192)
          --batch B         SENDs per grain call, w1-inproc only (default 64)
          --warmup N        messages of an unreported first run on 1 link (default 20000; 0: none); w2, w3, w4:
                            packets, messages or round trips of their warm-up (defaults 1000000, 5000, 20000)
          --payload BYTES   payload size (default 256)
          --TamTam:KEY=V    passed to the in-process silo (to every silo process in w7), e.g. --TamTam:Links:DeliveryWindow=2048
          w2          W2 fire-and-forget STREAM packets, one publisher, one subscriber (default 1,000,000 × 256 B);
                      --rate R holds the publisher to R packets/s (default: as fast as its connection takes them)
          w3          W3 fanout to --subscribers (10): --mode acked (SEND to a group port), stream, or both (default)
          w4          W4 request/reply, 20,000 sequential round trips of 64 B: --mode send (default) or stream
          w6          W6 --sessions (10000) idle sessions with heartbeats (--heartbeat-ms 5000, --hold 20) against a
                      silo process this command starts (or --server URI --server-pid PID); RSS per session
          w7          W7 failover: W1 on 1 and on 3 silo processes (blob state on Azurite), then W1-shaped traffic on
                      the largest --links across 3 silos while --kills (5) silos are SIGKILLed and restarted one by one;
                      --mode azure-table (default) or redis clustering; --window (16) per producer
          w8          W8 a cloud node to a node behind a station: the first message through a ring of 3 stations (in this
                      process), then --messages (20000) on the learned direct route, sent as W1 sends (--window,
                      --outstanding, after --warmup (5000) unreported), after W1 on one link (same settings) and W4
                      against the same interchange, and 500 messages one at a time on each; its line repeats W1's
                      figures and the ratio direct_to_w1
          --transport tcp|ws  w2, w3, w4: the gateway's TCP port (default) or WebSocket on the HTTP port
        """;

    private static readonly Dictionary<string, Func<Interchange, WorkloadOptions, int, Task<WorkloadResult>>> Verbs = new(StringComparer.Ordinal)
    {
        ["w1"] = AckedUnicastOverTcp.RunAsync,
        ["w1-inproc"] = AckedUnicastInProcess.RunAsync,
    };

    // Workloads with their own figures (not W1's delivered-and-acked line); each prints its own JSON lines.
    private static readonly Dictionary<string, Func<WorkloadOptions, Task<int>>> Figures = new(StringComparer.Ordinal)
    {
        ["w2"] = options => WithInterchangeAsync(options, W2.FireAndForget.RunAsync),
        ["w3"] = options => WithInterchangeAsync(options, W3.Fanout.RunAsync),
        ["w4"] = options => WithInterchangeAsync(options, W4.RequestReply.RunAsync),
        ["w6"] = W6.IdleSessions.RunAsync,
        ["w7"] = W7.Failover.RunAsync,
        ["w8"] = W8.StationRing.RunAsync,
    };

    public static bool Knows(string verb) => Verbs.ContainsKey(verb) || Figures.ContainsKey(verb) || verb is "w1-cold" or "w5" or "w5-stageblock" or "unfinished";

    public static async Task<int> RunAsync(string verb, string[] args)
    {
        if (verb == "w5")
        {
            // W5 runs the silo in a process of its own, to measure that process's memory.
            return await W5.LargeTransfers.RunAsync(args);
        }

        if (verb == "unfinished")
        {
            return await Unfinished.UnfinishedFrames.RunAsync(args);
        }

        if (verb == "w1-cold")
        {
            // Fresh silo processes, one per result: the cold start (ReadyToRun, runtime settings).
            return await ColdStart.ColdStartW1.RunAsync(args);
        }

        if (verb == "w5-stageblock")
        {
            return await W5.StageBlockProbe.RunAsync(args);
        }

        WorkloadOptions options;
        try
        {
            options = WorkloadOptions.Parse(args);
        }
        catch (Exception exception) when (exception is ArgumentException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"{verb}: {exception.Message}\n{Usage}");
            return 2;
        }

        if (options.Server is not null && (verb == "w1-inproc" || options.SiloArguments.Count > 0))
        {
            await Console.Error.WriteLineAsync($"{verb}: w1-inproc and --TamTam: settings need the in-process silo: leave out --server");
            return 2;
        }

        try
        {
            return Figures.TryGetValue(verb, out Func<WorkloadOptions, Task<int>>? figure)
                ? await figure(options)
                : await RunAsync(verb, options);
        }
        catch (Exception exception) when (exception is TamTamException or TimeoutException)
        {
            // The server is unreachable or refused the setup (JOIN, BIND): say so without a stack trace.
            await Console.Error.WriteLineAsync($"{verb}: {exception.Message}");
            return 1;
        }
    }

    private static async Task<int> WithInterchangeAsync(WorkloadOptions options, Func<Interchange, WorkloadOptions, Task<int>> workload)
    {
        await using Interchange interchange = await Interchange.OpenAsync(options.Server, options.SiloArguments);
        return await workload(interchange, options);
    }

    private static async Task<int> RunAsync(string verb, WorkloadOptions options)
    {
        await using Interchange interchange = await Interchange.OpenAsync(options.Server, options.SiloArguments);
        Func<Interchange, WorkloadOptions, int, Task<WorkloadResult>> workload = Verbs[verb];
        if (options.Warmup > 0)
        {
            WorkloadResult warmup = await workload(interchange, options with { Messages = options.Warmup }, 1);
            await Console.Error.WriteLineAsync($"{verb}: warm-up of {warmup.Messages} messages: {warmup.MsgsPerS} msgs/s (not reported)");
        }

        int status = 0;
        foreach (int links in options.Links)
        {
            await Console.Error.WriteLineAsync($"{verb}: {options.Messages} messages over {links} link(s) against {interchange.Name}…");
            WorkloadResult result = await workload(interchange, options, links);
            Console.WriteLine(result.ToJsonLine());
            if (!result.Complete)
            {
                status = 1;
            }
        }

        return status;
    }
}
