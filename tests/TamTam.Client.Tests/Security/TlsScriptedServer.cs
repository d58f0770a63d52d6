using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Security;

/// <summary>
/// A protocol peer behind TLS on loopback (<c>tamtams://127.0.0.1:port</c>) with a certificate of the test's
/// choosing; each test scripts its frames. Every wait is bounded by <see cref="TestTimeout.Default"/>.
/// </summary>
internal sealed class TlsScriptedServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly X509Certificate2 _certificate;

    private TlsScriptedServer(Socket listener, X509Certificate2 certificate)
    {
        _listener = listener;
        _certificate = certificate;
        Uri = new Uri($"tamtams://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}");
    }

    public Uri Uri { get; }

    public static TlsScriptedServer Start(X509Certificate2 certificate)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return new TlsScriptedServer(listener, certificate);
    }

    /// <summary>Accepts the next connection and completes the server's side of the TLS handshake.</summary>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The client refused the certificate.</exception>
    public async Task<Connection> AcceptAsync()
    {
        Socket socket = await _listener.AcceptAsync().WaitAsync(TestTimeout.Default);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            using var timeout = new CancellationTokenSource(TestTimeout.Default);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, timeout.Token);
            return new Connection(tls);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The server side of one TLS connection.</summary>
    internal sealed class Connection(SslStream tls) : FramePeer
    {
        private readonly PipeReader _input = PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true));

        protected override PipeReader Input => _input;

        public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
        {
            using var timeout = new CancellationTokenSource(TestTimeout.Default);
            await tls.WriteAsync(bytes, timeout.Token);
            await tls.FlushAsync(timeout.Token);
        }

        public override async ValueTask DisposeAsync()
        {
            await _input.CompleteAsync();
            await tls.DisposeAsync();
        }
    }
}
