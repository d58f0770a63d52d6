using System.Text.Encodings.Web;
using System.Text.Json;

namespace TamTam.Cli.Configuration;

/// <summary>
/// The tool's settings file: one JSON object of strings keyed by <see cref="Setting.Key"/>
/// (<c>{"server": "tamtams://interchange:7420", "link": "billing"}</c>). It may hold an access token, so it is written
/// with mode 0600, replacing the old file in one rename.
/// </summary>
internal sealed class ConfigFile
{
    public const string PathVariable = "TAMTAM_CONFIG";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly SortedDictionary<string, string> _values;

    private ConfigFile(string path, SortedDictionary<string, string> values, string? problem)
    {
        Path = path;
        _values = values;
        Problem = problem;
    }

    public string Path { get; }

    /// <summary>Why the file could not be read (it is then treated as empty), or null.</summary>
    public string? Problem { get; }

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>
    /// The file's path: <paramref name="given"/> (<c>--config</c>), else <c>$TAMTAM_CONFIG</c>, else
    /// <c>$XDG_CONFIG_HOME/tamtam/config.json</c>, else <c>~/.config/tamtam/config.json</c>
    /// (<c>%APPDATA%\tamtam\config.json</c> on Windows).
    /// </summary>
    public static string PathOf(CliConsole console, string? given)
    {
        if (given is { Length: > 0 })
        {
            return given;
        }

        if (console.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (OperatingSystem.IsWindows())
        {
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "tamtam", "config.json");
        }

        string config = console.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(console.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return System.IO.Path.Combine(config, "tamtam", "config.json");
    }

    /// <summary>Reads the file; a missing file is an empty one, an unreadable one too, with <see cref="Problem"/> saying why.</summary>
    public static ConfigFile Load(string path)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return new ConfigFile(path, values, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new ConfigFile(path, values, "it is not a JSON object");
            }

            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (Setting.Find(property.Name) is not { } setting)
                {
                    return new ConfigFile(path, [], $"\"{property.Name}\" is not a setting (known: {string.Join(", ", Setting.All.Select(s => s.Key))})");
                }

                values[setting.Key] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }

            return new ConfigFile(path, values, null);
        }
        catch (Exception exception) when (exception is JsonException or IOException or UnauthorizedAccessException)
        {
            return new ConfigFile(path, [], exception.Message);
        }
    }

    public string? Get(Setting setting) => _values.GetValueOrDefault(setting.Key);

    /// <summary>Sets (or with <see langword="null"/> removes) a value and writes the file.</summary>
    /// <exception cref="IOException">The file or its folder cannot be written.</exception>
    public void Set(Setting setting, string? value)
    {
        if (value is null)
        {
            _values.Remove(setting.Key);
        }
        else
        {
            _values[setting.Key] = value;
        }

        Save();
    }

    private void Save()
    {
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        PrivateDirectory.Create(directory);

        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, WriterOptions))
        {
            writer.WriteStartObject();
            foreach ((string key, string value) in _values)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        json.WriteByte((byte)'\n');
        string temporary = Path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(json.GetBuffer(), 0, (int)json.Length);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
