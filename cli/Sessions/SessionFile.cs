using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TamTam.Cli.Sessions;

/// <summary>
/// The resume token of one node's session, kept in a small file (mode 0600) under the user's state directory so that
/// the next <c>tamtam</c> run of the same server, link and node resumes the session instead of meeting 205 NAME_TAKEN
/// while the server still holds it — after a crash, a kill or a lost connection as after a <c>listen</c> that stopped
/// without leaving.
/// </summary>
/// <remarks>
/// The file stays open and locked while its process runs (an exclusive lock the operating system drops when the process
/// dies, however it dies), so a second process never resumes — and thereby takes over — a session another one is using.
/// </remarks>
internal sealed class SessionFile : IDisposable
{
    public const string DirectoryVariable = "TAMTAM_STATE_DIR";

    private const int Version = 1;

    /// <summary>The reference server's session timeout, for files written before the timeout was saved in them.</summary>
    private static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Slack for clocks and for a process between its last touch and its end.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>Files younger than this are not even opened by a sweep.</summary>
    private static readonly TimeSpan MinimumAge = Grace;

    private static readonly TimeSpan MaxTouchInterval = TimeSpan.FromSeconds(30);

    private readonly FileStream _file;
    private readonly Lock _gate = new();
    private readonly string _server;
    private readonly string _link;
    private readonly string _node;
    private Timer? _toucher;

    private SessionFile(FileStream file, string server, string link, string node, ReadOnlyMemory<byte> token, bool staysMember)
    {
        _file = file;
        _server = server;
        _link = link;
        _node = node;
        Token = token;
        StaysMember = staysMember;
    }

    /// <summary>The token saved by the last run, or empty.</summary>
    public ReadOnlyMemory<byte> Token { get; private set; }

    /// <summary>The session is a <c>listen</c>'s, kept in its link for the listener's return: other commands must not LEAVE it.</summary>
    public bool StaysMember { get; private set; }

    /// <summary>The path of the file; for messages.</summary>
    public string Path => _file.Name;

    /// <summary>
    /// Opens (creating it if need be) and locks the file of <paramref name="node"/> of <paramref name="link"/> at
    /// <paramref name="server"/>; <see langword="null"/> when another process holds it (that process is using the node).
    /// </summary>
    /// <exception cref="IOException">The state directory cannot be made or the file cannot be read.</exception>
    public static SessionFile? TryOpen(CliConsole console, Uri server, string link, string node)
    {
        string directory = DirectoryOf(console);
        PrivateDirectory.Create(directory);
        Sweep(directory, TimeProvider.System.GetUtcNow());
        string key = $"{server.AbsoluteUri}\n{link}\n{node}";
        string path = System.IO.Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32] + ".session");
        FileStream file;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            file = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }

        (ReadOnlyMemory<byte> token, bool stays) = Read(file, server.AbsoluteUri, link, node);
        return new SessionFile(file, server.AbsoluteUri, link, node, token, stays);
    }

    /// <summary>
    /// Removes the files of sessions the server no longer keeps: not locked by a running process, and not written for
    /// longer than their session's timeout (WELCOME's <c>session_timeout_ms</c>, saved with the token) and a minute more.
    /// A running command keeps its file's time fresh, and a command that ends touches it last, so the timeout counts
    /// from when its connection ended, as the server counts it.
    /// </summary>
    /// <returns>How many files went.</returns>
    public static int Sweep(string directory, DateTimeOffset now)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        int removed = 0;
        foreach (string path in Directory.EnumerateFiles(directory, "*.session"))
        {
            try
            {
                if (now - File.GetLastWriteTimeUtc(path) <= MinimumAge)
                {
                    continue;
                }

                using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                TimeSpan timeout = SessionTimeoutOf(file);
                if (now - File.GetLastWriteTimeUtc(path) > timeout + Grace)
                {
                    // Deleted while open and locked: no process can be opening it to resume meanwhile.
                    File.Delete(path);
                    removed++;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Locked by a running tamtam (its session is in use), or gone already.
            }
        }

        return removed;
    }

    /// <summary>The directory the session files are in: <c>$TAMTAM_STATE_DIR</c>, else the user's state directory.</summary>
    public static string DirectoryOf(CliConsole console)
    {
        if (console.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } given)
        {
            return given;
        }

        if (OperatingSystem.IsWindows())
        {
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "tamtam", "sessions");
        }

        string state = console.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : System.IO.Path.Combine(console.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return System.IO.Path.Combine(state, "tamtam", "sessions");
    }

    /// <summary>Saves the session's current token, durably, before the command does anything a crash could cut short.</summary>
    public void Save(ReadOnlyMemory<byte> token, bool staysMember, TimeSpan sessionTimeout)
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("server", _server);
            writer.WriteString("link", _link);
            writer.WriteString("node", _node);
            writer.WriteBase64String("resume_token", token.Span);
            writer.WriteBoolean("stays_member", staysMember);
            writer.WriteNumber("session_timeout_ms", (long)sessionTimeout.TotalMilliseconds);
            writer.WriteEndObject();
        }

        lock (_gate)
        {
            _file.SetLength(0);
            _file.Write(json.GetBuffer(), 0, (int)json.Length);
            _file.Flush(flushToDisk: true);
            Token = token.ToArray();
            StaysMember = staysMember;
        }

        // Touched while the command runs: a file a sweep finds old is one no running process holds.
        TimeSpan interval = TimeSpan.FromTicks(Math.Clamp(sessionTimeout.Ticks / 3, TimeSpan.FromSeconds(1).Ticks, MaxTouchInterval.Ticks));
        _toucher ??= new Timer(_ => Touch(), null, interval, interval);
    }

    /// <summary>Marks the file as in use now.</summary>
    public void Touch()
    {
        lock (_gate)
        {
            try
            {
                if (!_file.SafeFileHandle.IsClosed)
                {
                    File.SetLastWriteTimeUtc(_file.SafeFileHandle, DateTime.UtcNow);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Only the sweep's estimate suffers: it keeps the file longer.
            }
        }
    }

    /// <summary>The session LEFT: nothing is left to resume, the file goes.</summary>
    public void Forget()
    {
        lock (_gate)
        {
            // Deleted while still open and locked: no other process can have it open meanwhile.
            File.Delete(_file.Name);
            Token = ReadOnlyMemory<byte>.Empty;
        }
    }

    public void Dispose()
    {
        _toucher?.Dispose();

        // The session's timeout runs from now, when its connection ends.
        Touch();
        lock (_gate)
        {
            _file.Dispose();
        }
    }

    private static TimeSpan SessionTimeoutOf(FileStream file)
    {
        if (file.Length is 0 or > 64 * 1024)
        {
            return TimeSpan.Zero;
        }

        byte[] bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            return document.RootElement.TryGetProperty("session_timeout_ms", out JsonElement timeout) && timeout.TryGetInt64(out long milliseconds)
                ? TimeSpan.FromMilliseconds(Math.Max(0, milliseconds))
                : DefaultSessionTimeout;
        }
        catch (JsonException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The token of a file written for this very server, link and node; empty for a new, foreign or damaged file.</summary>
    private static (ReadOnlyMemory<byte> Token, bool StaysMember) Read(FileStream file, string server, string link, string node)
    {
        if (file.Length is 0 or > 64 * 1024)
        {
            return (ReadOnlyMemory<byte>.Empty, false);
        }

        byte[] bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        try
        {
            using JsonDocument document = JsonDocument.Parse(bytes);
            JsonElement root = document.RootElement;
            bool same = root.GetProperty("version").GetInt32() == Version
                && root.GetProperty("server").GetString() == server
                && root.GetProperty("link").GetString() == link
                && root.GetProperty("node").GetString() == node;
            return same
                ? (root.GetProperty("resume_token").GetBytesFromBase64(), root.GetProperty("stays_member").GetBoolean())
                : (ReadOnlyMemory<byte>.Empty, false);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return (ReadOnlyMemory<byte>.Empty, false);
        }
    }
}
