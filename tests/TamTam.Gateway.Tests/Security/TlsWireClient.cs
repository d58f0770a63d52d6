using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// A test-side client of the wire protocol over TLS on a real socket, for what the .NET client never sends
/// (bad tokens, raw bytes, frames packed into one write). Every wait is bounded by <see cref="FramePeer.Timeout"/>.
/// </summary>
internal sealed class TlsWireClient : FramePeer
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private readonly PipeReader _reader;

    // Replies read while waiting for another one: answers come in batch order, not request order.
    private readonly List<ReceivedFrame> _unclaimed = [];

    private TlsWireClient(TcpClient tcp, SslStream tls)
    {
        _tcp = tcp;
        _tls = tls;
        _reader = PipeReader.Create(tls, new StreamPipeReaderOptions(leaveOpen: true));
    }

    protected override PipeReader Input => _reader;

    public static async Task<TlsWireClient> ConnectAsync(SecureSiloFixture silo)
    {
        var tcp = new TcpClient(silo.Silo.TcpEndPoint.AddressFamily) { NoDelay = true };
        using var timeout = new CancellationTokenSource(Timeout);
        await tcp.ConnectAsync(silo.Silo.TcpEndPoint, timeout.Token);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => silo.IsServerCertificate(certificate, errors),
        }, timeout.Token);
        return new TlsWireClient(tcp, tls);
    }

    /// <summary>Connects and completes the handshake with <paramref name="token"/>.</summary>
    public static async Task<TlsWireClient> ConnectWelcomedAsync(SecureSiloFixture silo, string token, uint heartbeatMs = 0)
    {
        TlsWireClient client = await ConnectAsync(silo);
        await client.SendAsync(Hello(token, heartbeatMs), correlation: 1);
        await client.ReceiveAsync<WelcomeFrame>();
        return client;
    }

    public static HelloFrame Hello(string? token, uint heartbeatMs = 0) =>
        new(1, 1, 0, heartbeatMs, "tamtam-security-tests/1", token is null ? [] : Encoding.UTF8.GetBytes(token), ReadOnlyMemory<byte>.Empty);

    /// <summary>Writes the bytes in one TLS write (one record for anything up to 16 KiB).</summary>
    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await _tls.WriteAsync(bytes, timeout.Token);
        await _tls.FlushAsync(timeout.Token);
    }

    /// <summary>
    /// The reply to <paramref name="correlation"/>: pushed frames (DELIVER, STATUS, PING) are dropped, replies to
    /// other requests are kept for their own call.
    /// </summary>
    public async Task<ReceivedFrame> ReceiveReplyAsync(uint correlation)
    {
        int kept = _unclaimed.FindIndex(f => f.Correlation == correlation);
        if (kept >= 0)
        {
            ReceivedFrame reply = _unclaimed[kept];
            _unclaimed.RemoveAt(kept);
            return reply;
        }

        while (true)
        {
            ReceivedFrame frame = await ReceiveAsync();
            if (frame.Type is FrameType.Deliver or FrameType.Status or FrameType.Ping)
            {
                continue;
            }

            if (frame.Correlation == correlation)
            {
                return frame;
            }

            _unclaimed.Add(frame);
        }
    }

    public async Task ExpectOkAsync(uint correlation)
    {
        ReceivedFrame frame = await ReceiveReplyAsync(correlation);
        if (frame.Type == FrameType.Error)
        {
            ErrorFrame error = frame.Decode<ErrorFrame>();
            Assert.Fail($"Expected OK for {correlation}, got ERROR {(ushort)error.Code}: {error.Message}");
        }

        Assert.Equal(FrameType.Ok, frame.Type);
    }

    public override async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }

    protected override Task<ReceivedFrame> ReceiveAnswerAsync(uint correlation) => ReceiveReplyAsync(correlation);
}
