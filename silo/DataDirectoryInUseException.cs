namespace TamTam.Silo;

/// <summary>
/// The data directory a silo would keep its links, grain state and payloads in (<c>TamTam:DataPath</c>, local backend)
/// is claimed by another running silo that is not of its cluster. Two clusters on one directory would overwrite each
/// other's grain state, so the second is refused at start; <c>tamtam-silo</c> exits with code 3.
/// </summary>
public sealed class DataDirectoryInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, whose claim file could not be locked.</summary>
    public DataDirectoryInUseException(string directory, string claimFile, Exception? innerException = null)
        : base($"the data directory {directory} is in use by another silo (it holds {claimFile}; its process id is in that file). " +
            "Give each silo, or each localhost cluster, a TamTam:DataPath of its own; a second silo of the same cluster on this " +
            "machine sets TamTam:Cluster:PrimarySiloPort and shares the directory.", innerException)
    {
        Directory = directory;
        ClaimFile = claimFile;
    }

    /// <summary>The data directory, made absolute.</summary>
    public string Directory { get; }

    /// <summary>The file whose lock the other silo holds.</summary>
    public string ClaimFile { get; }
}
