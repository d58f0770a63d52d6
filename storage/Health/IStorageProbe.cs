namespace TamTam.Storage.Health;

/// <summary>
/// Tells whether the storage backend in use takes a write right now, for readiness checks. Each backend's
/// hosting extension registers its own.
/// </summary>
public interface IStorageProbe
{
    /// <summary>Writes and removes a small probe; <see langword="false"/> when the backend refuses or cannot be reached.</summary>
    Task<bool> IsWritableAsync(CancellationToken cancellationToken);
}
