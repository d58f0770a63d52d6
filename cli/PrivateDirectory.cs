namespace TamTam.Cli;

/// <summary>Folders for what lets whoever reads it act as the user (resume tokens, access tokens): the user's alone.</summary>
internal static class PrivateDirectory
{
    /// <summary>Makes <paramref name="path"/> (mode 0700 where modes exist) if it does not exist.</summary>
    public static void Create(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
