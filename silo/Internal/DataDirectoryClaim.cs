using System.Globalization;
using System.Text;

namespace TamTam.Silo.Internal;

/// <summary>
/// A localhost cluster's claim on its data directory with the local backend: an exclusive lock on
/// <see cref="FileName"/> there, taken by the cluster's primary silo before the host starts and held until it is
/// disposed (the process's end releases it too, a SIGKILL included). The secondaries of the cluster share the directory
/// with their primary and take no claim; a second primary — another cluster — is refused with
/// <see cref="DataDirectoryInUseException"/> instead of overwriting the first one's grain state. The file holds the
/// holder's process id, for an operator to read.
/// </summary>
internal sealed class DataDirectoryClaim : IDisposable
{
    /// <summary>The claim file's name in the data directory.</summary>
    public const string FileName = "primary.lock";

    private readonly FileStream? _file;

    private DataDirectoryClaim(FileStream? file) => _file = file;

    /// <summary>
    /// Claims <see cref="SiloOptions.DataPath"/> when this silo is a localhost cluster's primary on the local backend;
    /// otherwise claims nothing.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another running silo holds the claim.</exception>
    public static DataDirectoryClaim For(SiloOptions options)
    {
        bool claims = !options.Storage.IsBlob && options.Cluster.IsLocalhost && options.Cluster.PrimarySiloPort == 0;
        return new DataDirectoryClaim(claims ? Take(Path.GetFullPath(options.DataPath)) : null);
    }

    public void Dispose() => _file?.Dispose();

    private static FileStream Take(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        FileStream file;
        try
        {
            // FileShare.None locks the file (flock) for as long as it is open: a second opener fails, in this process too.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (IsHeldByAnother(exception))
        {
            throw new DataDirectoryInUseException(directory, path, exception);
        }

        try
        {
            byte[] holder = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"pid {Environment.ProcessId}, since {DateTimeOffset.UtcNow:O}\n"));
            file.SetLength(0);
            file.Write(holder);
            file.Flush();
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    // The lock is held elsewhere: flock's EWOULDBLOCK (11 on Linux, 35 on macOS), or Windows' sharing violation. Any other
    // failure (a read-only file system, say) is no claim of another silo and keeps its own message.
    private static bool IsHeldByAnother(IOException exception) => exception.HResult is 11 or 35 or unchecked((int)0x80070020);
}
