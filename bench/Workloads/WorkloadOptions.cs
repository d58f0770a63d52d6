using System.Globalization;

namespace TamTam.Bench.Workloads;

/// <summary>The workload runner's command line, with the workloads' defaults (docs/benchmarks.md).</summary>
internal sealed record WorkloadOptions
{
    /// <summary>Messages per result, split across the links (W1: 200,000).</summary>
    public int Messages { get; init; } = 200_000;

    /// <summary>Link counts to measure, one result each: <c>--links 1,2,4</c>.</summary>
    public IReadOnlyList<int> Links { get; init; } = [1];

    /// <summary>A running interchange, or <see langword="null"/> to start one in this process (ephemeral ports, temp data).</summary>
    public Uri? Server { get; init; }

    /// <summary>Cap on one result's run: what has not finished by then is reported as incomplete.</summary>
    public TimeSpan Limit { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Sends awaiting ACCEPTED per producer; 0 means the server's max_inflight.</summary>
    public int Window { get; init; }

    /// <summary>
    /// Messages per producer accepted and still without a final status. It keeps each consumer's inbox below
    /// the link's limit (<c>TamTam:Links:MaxInboxMessages</c>, 10,000), beyond which SENDs are refused (302).
    /// </summary>
    public int Outstanding { get; init; } = 8_192;

    /// <summary>SENDs per grain call (w1-inproc only; over TCP the gateway batches what one socket read holds).</summary>
    public int Batch { get; init; } = 64;

    /// <summary>Messages of an unreported first run (JIT, pools, first activations); 0 skips it. W1: 20,000.</summary>
    public int Warmup { get; init; } = 20_000;

    /// <summary>True when <c>--warmup</c> was given; otherwise W2–W4 use their own warm-up counts.</summary>
    public bool WarmupGiven { get; init; }

    /// <summary>W2: packets per second the publisher is held to; 0 (the default) publishes as fast as its connection takes them.</summary>
    public int Rate { get; init; }

    /// <summary>Payload bytes per message (W1: 256).</summary>
    public int PayloadBytes { get; init; } = 256;

    /// <summary>
    /// <c>--TamTam:…=value</c> arguments passed as they are to the in-process silo, to try a setting (e.g.
    /// <c>--TamTam:Links:DeliveryWindow=2048</c>); a result made with any of them says so.
    /// </summary>
    public IReadOnlyList<string> SiloArguments { get; init; } = [];

    /// <summary>True when <c>--messages</c> was given; otherwise each workload uses its own count (W4: 20,000 round trips).</summary>
    public bool MessagesGiven { get; init; }

    /// <summary><c>tcp</c> (the gateway's TCP port) or <c>ws</c> (WebSocket on the HTTP port), W2–W4.</summary>
    public string Transport { get; init; } = "tcp";

    /// <summary>W4: <c>send</c> (acked SEND, durable) or <c>stream</c> (STREAM packets); W3: <c>acked</c>, <c>stream</c> or <c>both</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>W3: subscribers of the fanout port (10).</summary>
    public int Subscribers { get; init; } = 10;

    /// <summary>W6: sessions to open and hold (10,000).</summary>
    public int Sessions { get; init; } = 10_000;

    /// <summary>W6: heartbeat interval each session asks for in HELLO, milliseconds (server pings at this rate).</summary>
    public int HeartbeatMs { get; init; } = 5_000;

    /// <summary>W6: how long the sessions are held idle after the last one opened, seconds.</summary>
    public int HoldSeconds { get; init; } = 20;

    /// <summary>W6: the silo's process id when <c>--server</c> names a running one (for its RSS).</summary>
    public int? ServerPid { get; init; }

    /// <summary>The message count: <c>--messages</c>, or <paramref name="fallback"/> when it was not given.</summary>
    /// <summary>W7: silos killed (and restarted) one after the other.</summary>
    public int Kills { get; init; } = 5;

    public int MessagesOr(int fallback) => MessagesGiven ? Messages : fallback;

    /// <summary>The warm-up count: <c>--warmup</c>, or <paramref name="fallback"/> when it was not given.</summary>
    public int WarmupOr(int fallback) => WarmupGiven ? Warmup : fallback;

    public static WorkloadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new WorkloadOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name.StartsWith("--TamTam:", StringComparison.Ordinal) && name.Contains('=', StringComparison.Ordinal))
            {
                options = options with { SiloArguments = [.. options.SiloArguments, name] };
                continue;
            }

            string value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--messages" => options with { Messages = Positive(name, value), MessagesGiven = true },
                "--transport" => options with { Transport = value is "tcp" or "ws" ? value : throw new ArgumentException("--transport takes tcp or ws") },
                "--mode" => options with { Mode = value },
                "--kills" => options with { Kills = Positive(name, value) },
                "--subscribers" => options with { Subscribers = Positive(name, value) },
                "--sessions" => options with { Sessions = Positive(name, value) },
                "--heartbeat-ms" => options with { HeartbeatMs = Positive(name, value) },
                "--hold" => options with { HoldSeconds = NonNegative(name, value) },
                "--server-pid" => options with { ServerPid = Positive(name, value) },
                "--links" => options with { Links = [.. value.Split(',').Select(v => Positive(name, v))] },
                "--server" => options with { Server = new Uri(value) },
                "--seconds" => options with { Limit = TimeSpan.FromSeconds(Positive(name, value)) },
                "--window" => options with { Window = Positive(name, value) },
                "--outstanding" => options with { Outstanding = Positive(name, value) },
                "--batch" => options with { Batch = Positive(name, value) },
                "--warmup" => options with { Warmup = NonNegative(name, value), WarmupGiven = true },
                "--rate" => options with { Rate = Positive(name, value) },
                "--payload" => options with { PayloadBytes = Positive(name, value) },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }

        return options;
    }

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out int number) && number >= 0
            ? number
            : throw new ArgumentException($"{name} takes a whole number ≥ 0, not \"{value}\"");

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out int number) && number > 0
            ? number
            : throw new ArgumentException($"{name} takes a positive whole number, not \"{value}\"");
}
