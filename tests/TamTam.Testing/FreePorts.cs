using System.Net;
using System.Net.Sockets;

namespace TamTam.Testing;

/// <summary>
/// Ports for listeners that cannot bind port 0 themselves (the Orleans silo port, a child process).
/// The operating system hands out ephemeral ports in turn, so one just released is not handed out again soon.
/// </summary>
internal static class FreePorts
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
