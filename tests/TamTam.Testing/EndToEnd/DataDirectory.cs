namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>A fresh data directory for one silo's lifetimes (it outlives restarts), deleted on dispose.</summary>
internal sealed class DataDirectory : IDisposable
{
    public DataDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tamtam-e2e-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }
}
