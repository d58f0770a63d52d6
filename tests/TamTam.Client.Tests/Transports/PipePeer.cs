using System.IO.Pipelines;
using TamTam.Client.Tests.Infrastructure;

namespace TamTam.Client.Tests.Transports;

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
