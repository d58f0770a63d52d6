namespace TamTam.Storage;

/// <summary>Opens <see cref="ISegmentLog"/>s by name on one storage backend.</summary>
public interface ISegmentLogStore
{
    /// <summary>
    /// Opens the log called <paramref name="name"/>, creating it empty if it does not exist, and
    /// recovering its tail after a crash if it does.
    /// </summary>
    /// <param name="name">Any non-empty string; the backend maps it to a safe storage name.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>
    /// The log. Dispose it when done. Opening a name that this store already has open returns another
    /// handle on the same log (so an owner that is handing over within one process does not fail);
    /// the log closes when its last handle is disposed.
    /// </returns>
    ValueTask<ISegmentLog> OpenAsync(string name, CancellationToken cancellationToken = default);
}
