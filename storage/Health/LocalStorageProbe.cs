using TamTam.Storage.Local;

namespace TamTam.Storage.Health;

/// <summary>
/// Writes and removes one byte under the local backend's root: a full disk, a read-only mount or lost
/// permissions fail it.
/// </summary>
public sealed class LocalStorageProbe(LocalStorageOptions options) : IStorageProbe
{
    private const string ProbeFileName = ".ready-probe";

    public async Task<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        string path = Path.Combine(Path.GetFullPath(options.RootPath), ProbeFileName);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, [1], cancellationToken).ConfigureAwait(false);
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
