using System.Text.Json;

namespace TamTam.Cli.Sessions;

/// <summary>
/// The node <c>tamtam join</c> made this user's current one (<c>joined.json</c> in the state directory): later commands
/// default to its server, link and node, resume its session, and never LEAVE it — only <c>tamtam leave</c> does.
/// </summary>
internal sealed record JoinedSession(string Server, string Link, string Node)
{
    private const string FileName = "joined.json";

    public static string PathOf(CliConsole console) => Path.Combine(SessionFile.DirectoryOf(console), FileName);

    /// <summary>The joined session, or null when there is none (or its file is damaged).</summary>
    public static JoinedSession? Read(CliConsole console)
    {
        string path = PathOf(console);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            return new JoinedSession(root.GetProperty("server").GetString()!, root.GetProperty("link").GetString()!, root.GetProperty("node").GetString()!);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException or KeyNotFoundException
            or InvalidOperationException)
        {
            return null;
        }
    }

    public bool Is(Uri server, string link, string node) =>
        Uri.TryCreate(Server, UriKind.Absolute, out Uri? own) && own.AbsoluteUri == server.AbsoluteUri && Link == link && Node == node;

    public void Save(CliConsole console)
    {
        string path = PathOf(console);
        PrivateDirectory.Create(Path.GetDirectoryName(path)!);
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("server", Server);
            writer.WriteString("link", Link);
            writer.WriteString("node", Node);
            writer.WriteEndObject();
        }

        File.WriteAllBytes(path + ".tmp", json.ToArray());
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public static void Forget(CliConsole console) => File.Delete(PathOf(console));
}
