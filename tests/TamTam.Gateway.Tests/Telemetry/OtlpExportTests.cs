using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using TamTam.Client;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Silo;

namespace TamTam.Gateway.Tests.Telemetry;

/// <summary>
/// OTLP export end to end: a silo configured with <c>TamTam:Telemetry:Otlp</c> pushes its spans and metrics to a
/// real HTTP receiver standing in for a collector.
/// </summary>
public sealed class OtlpExportTests
{
    private static readonly TimeSpan Timeout = FramePeer.Timeout;
    private static readonly TimeSpan ExportDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Traces_and_metrics_reach_an_otlp_collector_over_http_protobuf()
    {
        using var collector = new OtlpReceiver();
        await using TamTamSilo silo = await TamTamSilo.StartAsync(
        [
            "--TamTam:Tcp:Port=0",
            "--TamTam:Http:Port=0",
            $"--TamTam:Cluster:SiloPort={FreePorts.Next()}",
            "--TamTam:Cluster:GatewayPort=0",
            $"--TamTam:DataPath={collector.DataPath}",
            $"--TamTam:Telemetry:Otlp:Endpoint={collector.Endpoint}",
            "--TamTam:Telemetry:Otlp:Protocol=http/protobuf",
            "--TamTam:Telemetry:Otlp:MetricsInterval=00:00:01",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        ]);

        string link = $"otlp-{Guid.NewGuid():N}"[..24];
        await using TamTamClient receiver = await ConnectAsync(silo, link, "receiver");
        await receiver.BindAsync("in");
        await using TamTamClient sender = await ConnectAsync(silo, link, "sender");
        for (int i = 0; i < 3; i++)
        {
            SendReceipt receipt = await sender.SendAsync("in", "order"u8.ToArray());
            IncomingMessage message = await FirstAsync(receiver);
            await message.AckAsync();
            MessageStatus status = await receipt.WaitForCompletionAsync().WaitAsync(Timeout);
            Assert.Equal(FinalState.Delivered, status.State);
        }

        DateTime deadline = DateTime.UtcNow + ExportDeadline;
        while (!(collector.HasNonEmpty("/v1/traces") && collector.HasNonEmpty("/v1/metrics")) && DateTime.UtcNow < deadline)
        {
            await collector.WaitForPostAsync(TimeSpan.FromMilliseconds(250));
        }

        Assert.True(collector.HasNonEmpty("/v1/traces"), $"no non-empty POST to /v1/traces; seen: {collector.Describe()}");
        Assert.True(collector.HasNonEmpty("/v1/metrics"), $"no non-empty POST to /v1/metrics; seen: {collector.Describe()}");
    }

    private static async Task<TamTamClient> ConnectAsync(TamTamSilo silo, string link, string node)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(new TamTamClientOptions { Uri = new Uri($"tamtam://{silo.TcpEndPoint}") })
            .AsTask().WaitAsync(Timeout);
        await client.JoinAsync(link, node);
        return client;
    }

    private static async Task<IncomingMessage> FirstAsync(TamTamClient receiver)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await foreach (IncomingMessage message in receiver.ReceiveAsync(timeout.Token))
        {
            return message;
        }

        throw new InvalidOperationException("the receive ended");
    }

    /// <summary>
    /// A stand-in OTLP/HTTP collector on 127.0.0.1: records the path and body length of every POST, on any path, and
    /// answers 200 with an empty body.
    /// </summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, long Length)> _posts = new();
        private readonly SemaphoreSlim _posted = new(0);
        private readonly Task _serving;

        public OtlpReceiver()
        {
            int port = FreePorts.Next();
            Endpoint = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
            DataPath = Path.Combine(Path.GetTempPath(), $"tamtam-otlp-{Guid.NewGuid():N}");
            _serving = Task.Run(ServeAsync);
        }

        public string Endpoint { get; }

        public string DataPath { get; }

        public bool HasNonEmpty(string path) => _posts.Any(post => post.Path == path && post.Length > 0);

        public string Describe() => _posts.IsEmpty ? "nothing" : string.Join(", ", _posts.Select(post => $"{post.Path} ({post.Length} bytes)"));

        public Task<bool> WaitForPostAsync(TimeSpan timeout) => _posted.WaitAsync(timeout);

        public void Dispose()
        {
            _listener.Close();
            _posted.Dispose();
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                long length = 0;
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await context.Request.InputStream.ReadAsync(buffer)) > 0)
                {
                    length += read;
                }

                if (context.Request.HttpMethod == "POST")
                {
                    _posts.Enqueue((context.Request.Url?.AbsolutePath ?? string.Empty, length));
                    _posted.Release();
                }

                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
        }
    }
}
