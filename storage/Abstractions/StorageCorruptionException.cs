namespace TamTam.Storage;

/// <summary>
/// Stored bytes failed a check (CRC, framing, header or record count) somewhere recovery does not
/// repair: inside a sealed segment, in the readable part of the active one, or in a grain-state file.
/// Nothing is skipped or guessed; the operation stops here so an operator can look.
/// </summary>
public sealed class StorageCorruptionException : IOException
{
    /// <summary>Creates the exception for the file at <paramref name="path"/>.</summary>
    public StorageCorruptionException(string path, string detail)
        : base($"Corrupt storage file '{path}': {detail}")
    {
        Path = path;
    }

    /// <summary>The file whose bytes failed the check.</summary>
    public string Path { get; }
}
