using System.Net;
using System.Net.Sockets;

namespace TamTam.Testing;

/// <summary>
/// Ports for listeners that cannot bind port 0 themselves (the Orleans silo port, a child process). A port is free when
/// handed out, and the listener binds it later: the operating system may hand the same port out again meanwhile (Linux
/// picks ephemeral ports from a random offset), so this process never hands one out twice.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> s_handedOut = [];

    public static int Next()
    {
        while (true)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            lock (s_handedOut)
            {
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
