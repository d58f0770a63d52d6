using System.Net.Sockets;

namespace TamTam.Gateway.Transports;

/// <summary>Prepares the path of a Unix domain socket listener.</summary>
public static class UnixSocketFile
{
    /// <summary>
    /// Makes <paramref name="path"/> ready to bind: an existing file that no process accepts connections on
    /// (left behind by a host that did not stop cleanly) is deleted; the parent directory is created.
    /// </summary>
    /// <returns>The absolute path.</returns>
    /// <exception cref="InvalidOperationException">A running process already listens on <paramref name="path"/>.</exception>
    public static string PrepareForListen(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        if (!File.Exists(full))
        {
            return full;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                // Connecting to a Unix socket either succeeds or is refused at once: it never waits on a network.
                probe.Connect(new UnixDomainSocketEndPoint(full));
                throw new InvalidOperationException($"Another process is listening on the Unix socket {full}.");
            }
            catch (SocketException)
            {
                // Refused: nobody listens, so the file is stale.
            }
        }

        File.Delete(full);
        return full;
    }
}
