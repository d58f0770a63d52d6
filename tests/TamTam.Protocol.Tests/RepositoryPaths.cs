namespace TamTam.Protocol.Tests;

/// <summary>Finds files of the repository from the test's output directory.</summary>
internal static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TamTam.Cloud.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("TamTam.Cloud.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Vectors => Path.Combine(Root, "spec", "vectors");
}
