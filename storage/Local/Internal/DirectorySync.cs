using System.Runtime.InteropServices;

namespace TamTam.Storage.Local.Internal;

/// <summary>
/// Makes directory entries durable. Creating, renaming or deleting a file changes its directory, and
/// on Linux that change survives a crash only once the directory itself is fsynced. .NET cannot open a
/// directory as a file, hence the two libc calls.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY alone: O_DIRECTORY would add only a check, and its value differs between x64 and arm64.
    private const int ReadOnly = 0;

    /// <summary>Fsyncs <paramref name="directory"/>. A no-op on Windows, where NTFS journals its metadata.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{directory}' to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and any missing ancestors, fsyncing the parent of each one
    /// created so that the whole path survives a crash.
    /// </summary>
    public static void CreateDurably(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return;
        }

        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDurably(parent);
        }

        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            Flush(parent);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
