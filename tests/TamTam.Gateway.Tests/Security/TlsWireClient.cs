using System.Buffers;
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
/// (bad tokens, raw bytes, frames packed into one write). Every wait is bounded by <see cref="WireClient.Timeout"/>.
/// </summary>
internal sealed class TlsWireClient : IAsyncDisposable
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

    public static async Task<TlsWireClient> ConnectAsync(SecureSiloFixture silo)
    {
        var tcp = new TcpClient(silo.Silo.TcpEndPoint.AddressFamily) { NoDelay = true };
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
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

    public Task SendAsync<T>(T frame, uint correlation)
        where T : struct, IFrame<T> =>
        SendRawAsync(FrameCodec.ToArray(frame, correlation));

    /// <summary>Writes the bytes in one TLS write (one record for anything up to 16 KiB).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        await _tls.WriteAsync(bytes, timeout.Token);
        await _tls.FlushAsync(timeout.Token);
    }

    public async Task<ReceivedFrame> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No frame from the server within {WireClient.Timeout}.");
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                _reader.AdvanceTo(buffer.Start);
                return received;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The server closed the connection ({buffer.Length} bytes pending).");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    public async Task<T> ReceiveAsync<T>()
        where T : struct, IFrame<T>
    {
        ReceivedFrame frame = await ReceiveAsync();
        if (frame.Type == FrameType.Error && T.Type != FrameType.Error)
        {
            ErrorFrame error = frame.Decode<ErrorFrame>();
            Assert.Fail($"Expected {T.Type.WireName()}, got ERROR {(ushort)error.Code} {error.Code}: {error.Message}");
        }

        Assert.Equal(T.Type, frame.Type);
        return frame.Decode<T>();
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

    public async Task<ErrorFrame> ExpectErrorAsync(ErrorCode code, uint correlation, bool fatal)
    {
        ReceivedFrame frame = await ReceiveReplyAsync(correlation);
        Assert.True(frame.Type == FrameType.Error, $"Expected ERROR {(ushort)code}, got {frame}");
        ErrorFrame error = frame.Decode<ErrorFrame>();
        Assert.Equal((code, correlation, fatal), (error.Code, frame.Correlation, error.Fatal));
        Assert.False(error.Message.IsEmpty, "an ERROR carries a message");
        return error;
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

    /// <summary>Waits for the server to end the stream, with no further frame.</summary>
    public async Task ExpectClosedAsync()
    {
        using var timeout = new CancellationTokenSource(WireClient.Timeout);
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(timeout.Token);
                Assert.True(result.Buffer.IsEmpty, $"Expected the connection to close, got {result.Buffer.Length} more bytes.");
                if (result.IsCompleted)
                {
                    return;
                }

                _reader.AdvanceTo(result.Buffer.End);
            }
        }
        catch (IOException)
        {
            // A reset also closes the connection.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The server did not close the connection within {WireClient.Timeout}.");
        }
    }

    /// <summary>PING and the matching PONG: the session still answers.</summary>
    public async Task AssertAliveAsync(uint correlation = 4242)
    {
        await SendAsync(new PingFrame(123_456), correlation);
        ReceivedFrame frame = await ReceiveReplyAsync(correlation);
        Assert.True(frame.Type == FrameType.Pong, $"Expected PONG, got {frame}");
        Assert.Equal(123_456, frame.Decode<PongFrame>().Echo);
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _tls.DisposeAsync();
        _tcp.Dispose();
    }
}
