using System.Globalization;

namespace TamTam.Testing.Cluster;

/// <summary><c>redis-server</c> on a free loopback port, in memory only (no RDB, no AOF): the Redis clustering of a test cluster.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ChildProcess _process;

    private RedisServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>A StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts <c>redis-server</c> and waits until it accepts connections.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        int port = FreePorts.Next();
        ChildProcess process;
        Task<string> ready;
        try
        {
            string? configured = Environment.GetEnvironmentVariable(Redis.RedisServerFixture.OverrideVariable);
            process = ChildProcess.Start(string.IsNullOrWhiteSpace(configured) ? "redis-server" : configured,
                ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                line => line.Contains("Ready to accept connections", StringComparison.Ordinal), out ready);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; .ci/run does this).", ex);
        }

        try
        {
            await ready.WaitAsync(StartTimeout).ConfigureAwait(false);
            return new RedisServer(process, port);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            string output = process.Output;
            await process.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"redis-server did not get ready within {StartTimeout}. Its output:\n{output}", ex);
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
