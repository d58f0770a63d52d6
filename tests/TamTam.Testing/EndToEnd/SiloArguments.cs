using TamTam.Testing;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The command line every test silo runs with: free ports (TCP and HTTP bind port 0 and are read back; the
/// Orleans silo port is one known to be free, a new one per start so a restart never waits for the old
/// socket), a data directory that survives restarts, and quiet logs.
/// </summary>
internal static class SiloArguments
{
    public static List<string> For(string dataPath) =>
    [
        "--TamTam:Tcp:Port=0",
        "--TamTam:Http:Port=0",
        $"--TamTam:DataPath={dataPath}",
        $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
        "--TamTam:Cluster:GatewayPort=0",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",

        // Orleans warns at start about server GC and, on this loaded two-core machine, about its watchdog.
        "--Logging:LogLevel:Orleans=Error",
    ];
}
