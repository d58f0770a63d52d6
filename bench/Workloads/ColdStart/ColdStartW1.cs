using TamTam.Bench.Workloads.W1;

namespace TamTam.Bench.Workloads.ColdStart;

/// <summary>
/// W1 cold: each run starts a fresh silo process and measures W1 over its first <c>--messages</c> (200,000) messages,
/// with no warm-up of the silo: what a silo just (re)started in a rolling update or a scale-out does in its first
/// seconds. The bench's own client code is warmed first against a throwaway silo (<c>--warmup</c>, default 20,000),
/// so that only the silo is cold. <c>--silo</c> names the executable (default: the framework-dependent
/// <c>tamtam-silo.dll</c> beside the bench; a ReadyToRun publish's <c>tamtam-silo</c> apphost to compare),
/// <c>--env KEY=VALUE</c> (repeatable) sets runtime settings for the silo processes only, <c>--runs</c> (3) repeats.
/// Beside msgs/s each result gives the silo process's CPU per message over the run (<c>silo_cpu_us_per_msg</c>, the
/// JIT's background compiles included) and its start-up (<c>startup_ms</c>, <c>startup_cpu_ms</c>): on a busy machine
/// the CPU figures move less than the rate.
/// </summary>
internal static class ColdStartW1
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project bench -- w1-cold [--silo PATH] [--env KEY=VALUE]... [--runs 3] [W1 options]
          --silo PATH       tamtam-silo.dll (run by dotnet) or a published tamtam-silo apphost (default: the dll beside the bench)
          --env KEY=VALUE   an environment variable for the silo processes, e.g. DOTNET_TieredPGO=0 (repeatable)
          --runs N          fresh silo processes, one result each (default 3)
          --warmup N        messages against a throwaway silo first, to warm the bench's client code (default 20000; 0: none)
          --messages, --links, --window, --outstanding, --seconds, --payload, --TamTam:KEY=V as for w1
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(Usage);
            return 0;
        }

        string silo = Path.Combine(AppContext.BaseDirectory, "tamtam-silo.dll");
        var environment = new List<KeyValuePair<string, string>>();
        int runs = 3;
        var rest = new List<string>();
        WorkloadOptions options;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--silo" when i + 1 < args.Length:
                        silo = Path.GetFullPath(args[++i]);
                        break;
                    case "--env" when i + 1 < args.Length && args[i + 1].IndexOf('=', StringComparison.Ordinal) > 0:
                        string[] pair = args[++i].Split('=', 2);
                        environment.Add(new(pair[0], pair[1]));
                        break;
                    case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out runs) && runs > 0:
                        i++;
                        break;
                    case "--silo" or "--env" or "--runs":
                        throw new ArgumentException($"{args[i]} needs a valid value");
                    default:
                        rest.Add(args[i]);
                        break;
                }
            }

            options = WorkloadOptions.Parse(rest);
            if (options.Server is not null || !File.Exists(silo))
            {
                throw new ArgumentException(options.Server is not null ? "w1-cold starts its own silos: leave out --server" : $"no silo executable at {silo}");
            }
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync($"w1-cold: {exception.Message}\n{Usage}");
            return 2;
        }

        string settings = string.Join(' ', [$"silo={Path.GetFileName(silo)}", .. environment.Select(e => $"{e.Key}={e.Value}"), .. options.SiloArguments]);
        if (options.Warmup > 0)
        {
            await using ColdSilo throwaway = await ColdSilo.StartAsync(silo, environment, options.SiloArguments);
            await using Interchange warming = await Interchange.OpenAsync(throwaway.Uri, []);
            WorkloadResult warmup = await AckedUnicastOverTcp.RunAsync(warming, options with { Messages = options.Warmup }, 1);
            await Console.Error.WriteLineAsync($"w1-cold: client warm-up of {warmup.Messages} messages against a throwaway silo: {warmup.MsgsPerS} msgs/s (not reported)");
        }

        int status = 0;
        for (int run = 0; run < runs; run++)
        {
            foreach (int links in options.Links)
            {
                await using ColdSilo fresh = await ColdSilo.StartAsync(silo, environment, options.SiloArguments);
                await using Interchange interchange = await Interchange.OpenAsync(fresh.Uri, []);
                await Console.Error.WriteLineAsync($"w1-cold: run {run + 1}: a fresh silo ({settings}) listened after {fresh.Startup.TotalMilliseconds:F0} ms; " +
                    $"{options.Messages} messages over {links} link(s)…");
                TimeSpan startupCpu = fresh.CpuTime;
                WorkloadResult result = await AckedUnicastOverTcp.RunAsync(interchange, options, links);
                TimeSpan runCpu = fresh.CpuTime - startupCpu;
                Console.WriteLine((result with
                {
                    Workload = "w1-cold",
                    Settings = settings,
                    StartupMs = Math.Round(fresh.Startup.TotalMilliseconds),
                    StartupCpuMs = Math.Round(startupCpu.TotalMilliseconds),
                    SiloCpuUsPerMsg = result.Delivered == 0 ? null : Math.Round(runCpu.TotalMicroseconds / result.Delivered, 1),
                }).ToJsonLine());
                status = result.Complete ? status : 1;
            }
        }

        return status;
    }
}
