using TamTam.Cli;
using TamTam.Client;
using TamTam.EndToEnd.Tests.Infrastructure;

namespace TamTam.EndToEnd.Tests.Cli;

/// <summary>The CLI's session files go once the server can no longer resume their sessions; those still of use stay.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class SessionFileSweepTests(SharedSiloFixture silo) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tamtam-cli-sweep-").FullName;

    [Fact]
    public async Task A_run_removes_the_session_files_whose_session_timed_out_and_keeps_recent_and_locked_ones()
    {
        string state = Path.Combine(_folder, "state");
        Directory.CreateDirectory(state);
        DateTime hourAgo = DateTime.UtcNow.AddHours(-1);
        string stale = Write(state, "stale", 120_000, hourAgo);
        string staleOldFormat = Write(state, "old-format", null, hourAgo);
        string recent = Write(state, "recent", 120_000, DateTime.UtcNow);
        string longTimeout = Write(state, "long-timeout", (long)TimeSpan.FromDays(1).TotalMilliseconds, hourAgo);
        string locked = Write(state, "locked", 120_000, hourAgo);
        await using (var inUse = new FileStream(locked, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            string link = Links.Unique("cli-sweep");
            await using TamTamClient peer = await Nodes.ListenAsync(silo.Uri, link, "peer", "inbox");
            var console = new CliTestConsole(_folder);

            Assert.Equal(ExitCodes.Success, await console.RunAsync("send", "inbox", "x", "--node", "named", "--link", link, "--server", silo.Uri.ToString()).Within());
        }

        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleOldFormat));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(longTimeout));
        Assert.True(File.Exists(locked));
    }

    private static string Write(string directory, string name, long? timeoutMilliseconds, DateTime writtenAt)
    {
        string path = Path.Combine(directory, $"{name}.session");
        string timeout = timeoutMilliseconds is { } ms ? $",\"session_timeout_ms\":{ms}" : string.Empty;
        File.WriteAllText(path, $"{{\"version\":1,\"server\":\"tamtam://x:1/\",\"link\":\"l\",\"node\":\"{name}\",\"resume_token\":\"AAAA\",\"stays_member\":false{timeout}}}");
        File.SetLastWriteTimeUtc(path, writtenAt);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
