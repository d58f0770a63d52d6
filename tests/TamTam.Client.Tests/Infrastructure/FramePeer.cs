using System.Buffers;
using System.IO.Pipelines;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client.Tests.Infrastructure;

/// <summary>
/// The scripted server side of one connection: frames out through <see cref="SendRawAsync"/>, the client's
/// bytes in through <see cref="Input"/>. Subclasses supply the transport; every wait is bounded.
/// </summary>
internal abstract class FramePeer : IAsyncDisposable
{
    protected abstract PipeReader Input { get; }

    public abstract Task SendRawAsync(ReadOnlyMemory<byte> bytes);

    public Task SendAsync<T>(T frame, uint correlation = 0)
        where T : struct, IFrame<T> =>
        SendRawAsync(FrameCodec.ToArray(frame, correlation));

    /// <summary>Reads HELLO and answers WELCOME.</summary>
    public async Task<HelloFrame> HandshakeAsync(WelcomeFrame? welcome = null)
    {
        (HelloFrame hello, uint correlation) = await ExpectAsync<HelloFrame>();
        await SendAsync(welcome ?? ScriptedPeer.DefaultWelcome, correlation);
        return hello;
    }

    /// <summary>The next frame the client sent, copied out of the pipe so its fields stay valid.</summary>
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

                // Only this frame is consumed; what follows stays unexamined for the next call.
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

    /// <summary>Reads the next frame and checks that it is a <typeparamref name="T"/>.</summary>
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

    /// <summary>Returns once the client has closed its side (everything it sent before is skipped).</summary>
    public async Task WaitForCloseAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeout.Default);
        while (true)
        {
            ReadResult result = await Input.ReadAsync(timeout.Token);
            Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    public Task OkAsync(uint correlation) => SendAsync(default(OkFrame), correlation);

    public Task ErrorAsync(ErrorCode code, string message, uint correlation, bool fatal = false) =>
        SendAsync(new ErrorFrame(code, Utf8Text.From(message), fatal), correlation);

    public abstract ValueTask DisposeAsync();
}
