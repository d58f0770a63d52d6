using TamTam.Testing.Cluster;

namespace TamTam.Cluster.Tests.Harness;

/// <summary>
/// The harness's child processes: a watched line printed just before the process exits is seen, and a process that
/// exits without it fails the watch with everything it printed. Every test that waits for a program's last words
/// (the CLI's <c>DELIVERED</c> line before it exits 0) depends on the first.
/// </summary>
public sealed class ChildProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_line_printed_just_before_exit_is_seen_rather_than_the_exit()
    {
        // The exit used to fail the watch while the last lines were still on their way: 40 runs of 300 like these.
        for (int run = 0; run < 100; run++)
        {
            await using ChildProcess process = ChildProcess.Start("sh", ["-c", "echo first; echo second; echo last"],
                line => line == "last", out Task<string> last);

            Assert.Equal("last", await last.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task An_exit_without_the_line_fails_the_watch_with_the_exit_code_and_all_output()
    {
        await using ChildProcess process = ChildProcess.Start("sh", ["-c", "echo one; echo two >&2; exit 3"],
            line => line == "never", out Task<string> never);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => never.WaitAsync(Bound));

        Assert.Contains("exited (code 3)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("one", failure.Message, StringComparison.Ordinal);
        Assert.Contains("two", failure.Message, StringComparison.Ordinal);
    }
}
