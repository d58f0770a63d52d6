using System.Buffers;
using System.IO.Pipelines;
using TamTam.Client.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Transports;

/// <summary>
/// The scripted server side of a connection over a transport other than a socket: frames out through
/// <see cref="SendRawAsync"/>, the client's bytes in through <see cref="Input"/>. Every wait is bounded.
/// </summary>
internal abstract class FramePeer : IAsyncDisposable
{
    protected abstract PipeReader Input { get; }

    public abstract Task SendRawAsync(ReadOnlyMemory<byte> bytes);

    public Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T> =>
        SendRawAsync(FrameCodec.ToArray(frame, correlation));

    /// <summary>Reads HELLO and answers WELCOME.</summary>
    public async Task<HelloFrame> HandshakeAsync()
    {
        (HelloFrame hello, uint correlation) = await ExpectAsync<HelloFrame>();
        await SendAsync(ScriptedPeer.DefaultWelcome, correlation);
        return hello;
    }

    public async Task<ReceivedFrame> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            ReadResult result = await Input.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                Input.AdvanceTo(buffer.Start);
                return received;
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException("the client closed the connection");
            }
        }
    }

    public async Task<(T Frame, uint Correlation)> ExpectAsync<T>()
        where T : struct, IFrame<T>
    {
        ReceivedFrame frame = await ReadFrameAsync();
        Assert.True(frame.Header.Type == T.Type, $"expected {T.Type.WireName()}, got {frame.Header.Type.WireName()}");
        return (frame.Decode<T>(), frame.Header.Correlation);
    }

    /// <summary>Waits until the client has ended its stream, with nothing more sent.</summary>
    public async Task ExpectEndOfStreamAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        ReadResult result = await Input.ReadAsync(timeout.Token);
        Assert.True(result.Buffer.IsEmpty, $"expected the end of the client's stream, got {result.Buffer.Length} bytes");
        Assert.True(result.IsCompleted, "expected the end of the client's stream");
        Input.AdvanceTo(result.Buffer.End);
    }

    public abstract ValueTask DisposeAsync();
}

/// <summary>The server's end of an in-memory connection; <see cref="ClientEnd"/> goes to the client's <c>TransportFactory</c>.</summary>
internal sealed class PipePeer : FramePeer
{
    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient = new(new PipeOptions(useSynchronizationContext: false));

    public PipePeer()
    {
        ClientEnd = new Duplex(_toClient.Reader, _toServer.Writer);
    }

    public IDuplexPipe ClientEnd { get; }

    protected override PipeReader Input => _toServer.Reader;

    public override async Task SendRawAsync(ReadOnlyMemory<byte> bytes) => await _toClient.Writer.WriteAsync(bytes);

    /// <summary>Ends the server's stream, as a server closing the connection.</summary>
    public Task CloseAsync() => _toClient.Writer.CompleteAsync().AsTask();

    public override async ValueTask DisposeAsync()
    {
        await _toClient.Writer.CompleteAsync();
        await _toServer.Reader.CompleteAsync();
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
