namespace TamTam.Testing.Cluster;

/// <summary>
/// A failover's timeline, for whoever investigates one: with <c>TAMTAM_CLUSTER_TRACE</c> set to a directory, every
/// silo process the harness starts writes its whole output there (one file per start, with timestamps and the
/// TamTam categories at Information), and every client of the traffic its log lines. Off by default: the harness
/// then keeps only the last lines, for failure messages.
/// </summary>
internal static class ClusterTrace
{
    private static int s_files;

    /// <summary>The directory, or null when tracing is off.</summary>
    public static string? Directory { get; } = Environment.GetEnvironmentVariable("TAMTAM_CLUSTER_TRACE") is { Length: > 0 } dir ? dir : null;

    public static bool IsOn => Directory is not null;

    /// <summary>The silo arguments that give its lines timestamps and the TamTam categories' Information lines.</summary>
    public static IEnumerable<string> SiloArguments => IsOn
        ? ["--Logging:Console:FormatterName=simple", "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss.fff ",
           "--Logging:Console:FormatterOptions:SingleLine=true", "--Logging:LogLevel:TamTam=Information", "--Logging:LogLevel:Orleans.Runtime.MembershipService=Information"]
        : [];

    /// <summary>A new file named after <paramref name="name"/> (numbered, so that a restart does not overwrite), or null when tracing is off.</summary>
    public static StreamWriter? Open(string name)
    {
        if (Directory is null)
        {
            return null;
        }

        System.IO.Directory.CreateDirectory(Directory);
        string path = Path.Combine(Directory, $"{Interlocked.Increment(ref s_files):D3}-{name}.log");
        return new StreamWriter(path, append: false) { AutoFlush = true };
    }
}
