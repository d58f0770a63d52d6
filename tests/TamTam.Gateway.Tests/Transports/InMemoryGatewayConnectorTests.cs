using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Gateway.Transports;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Transports;

/// <summary>The in-memory transport on a gateway without a cluster: sessions over a connected pair of pipes.</summary>
public sealed class InMemoryGatewayConnectorTests : IAsyncLifetime
{
    private ServiceProvider? _services;

    private InMemoryGatewayConnector Connector => _services!.GetRequiredService<InMemoryGatewayConnector>();

    public Task InitializeAsync()
    {
        _services = new ServiceCollection().AddLogging().AddTamTamGateway().AddTamTamGatewayTransports().BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync().AsTask().WaitAsync(FramePeer.Timeout);
        }
    }

    [Fact]
    public async Task A_connection_is_a_session_that_ends_when_the_client_completes_its_output()
    {
        IDuplexPipe client = await Connector.ConnectAsync();
        Assert.Equal(1, Connector.ActiveSessions);

        await client.Output.WriteAsync(FrameCodec.ToArray(WireClient.Hello(), correlation: 1));
        Assert.Equal(FrameType.Welcome, (await ReadFrameAsync(client.Input)).Type);
        await client.Output.WriteAsync(FrameCodec.ToArray(new PingFrame(9), correlation: 2));
        Assert.Equal(FrameType.Pong, (await ReadFrameAsync(client.Input)).Type);

        await client.Output.CompleteAsync();

        await ExpectEndAsync(client.Input);
        await client.Input.CompleteAsync();
    }

    [Fact]
    public async Task Disposing_the_connector_tells_open_sessions_211_and_waits_for_them()
    {
        IDuplexPipe first = Connector.Connect();
        IDuplexPipe second = Connector.Connect();
        await first.Output.WriteAsync(FrameCodec.ToArray(WireClient.Hello(), correlation: 1));
        Assert.Equal(FrameType.Welcome, (await ReadFrameAsync(first.Input)).Type);
        Assert.Equal(2, Connector.ActiveSessions);

        await Connector.DisposeAsync().AsTask().WaitAsync(FramePeer.Timeout);

        Assert.Equal(0, Connector.ActiveSessions);
        ReceivedFrame error = await ReadFrameAsync(first.Input);
        Assert.Equal(FrameType.Error, error.Type);
        Assert.Equal((ErrorCode.ShuttingDown, true), (error.Decode<ErrorFrame>().Code, error.Decode<ErrorFrame>().Fatal));
        await ExpectEndAsync(first.Input);
        Assert.Equal(ErrorCode.ShuttingDown, (await ReadFrameAsync(second.Input)).Decode<ErrorFrame>().Code);
        Assert.Throws<ObjectDisposedException>(() => Connector.Connect());
    }

    private static async Task<ReceivedFrame> ReadFrameAsync(PipeReader input)
    {
        using var timeout = new CancellationTokenSource(FramePeer.Timeout);
        while (true)
        {
            ReadResult result = await input.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (FrameReader.TryReadFrame(ref buffer, ProtocolLimits.MaxBodyCeiling, out Frame frame))
            {
                var received = new ReceivedFrame(frame.Header, frame.Body.ToArray());
                input.AdvanceTo(buffer.Start);
                return received;
            }

            Assert.False(result.IsCompleted, "the session closed its output");
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static async Task ExpectEndAsync(PipeReader input)
    {
        using var timeout = new CancellationTokenSource(FramePeer.Timeout);
        ReadResult result = await input.ReadAsync(timeout.Token);
        Assert.True(result.IsCompleted && result.Buffer.IsEmpty, "the session's output ended");
        input.AdvanceTo(result.Buffer.End);
    }
}
