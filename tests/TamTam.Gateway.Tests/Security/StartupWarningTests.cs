using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Security;

/// <summary>The embedded defaults are for one machine: a silo that listens beyond loopback says so at start.</summary>
public sealed class StartupWarningTests
{
    private const int AnonymousBeyondLoopback = 2004;
    private const int CleartextBeyondLoopback = 2005;

    [Fact]
    public async Task Anonymous_access_and_cleartext_beyond_loopback_are_warned_about_at_start()
    {
        string data = Directory.CreateTempSubdirectory("tamtam-warnings-").FullName;
        var log = new CapturingLoggerProvider();
        WebApplicationBuilder builder = TamTamSilo.CreateBuilder(
        [
            "--TamTam:Listen:Address=0.0.0.0",
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:DataPath={data}",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        builder.Logging.AddProvider(log);

        try
        {
            await using TamTamSilo silo = await TamTamSilo.StartAsync(builder).WaitAsync(TimeSpan.FromSeconds(60));

            LogRecord anonymous = Assert.Single(log.Records, r => r.EventId == AnonymousBeyondLoopback);
            Assert.Equal(LogLevel.Warning, anonymous.Level);
            Assert.Contains("TamTam:Security:AllowAnonymous=false", anonymous.Message, StringComparison.Ordinal);
            Assert.Contains("0.0.0.0", anonymous.Message, StringComparison.Ordinal);
            Assert.Single(log.Records, r => r.EventId == CleartextBeyondLoopback);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private sealed record LogRecord(int EventId, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<LogRecord> Records { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Records.Enqueue(new LogRecord(eventId.Id, logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
