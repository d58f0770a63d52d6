using System.IO.Pipelines;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// One open byte stream to the server. The protocol is the same on every transport; a transport only moves
/// bytes. Reading goes through <see cref="Input"/>; writing hands over whole batches of encoded frames, so a
/// transport can put each batch on the wire with one call (one gather-send on a socket, one message on a
/// WebSocket).
/// </summary>
internal interface IClientTransport : IAsyncDisposable
{
    /// <summary>Bytes from the server. Completes when the server closes its side.</summary>
    PipeReader Input { get; }

    /// <summary>Writes one batch; completes when the transport has taken all of it.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken);

    /// <summary>Tells the server no more bytes follow, keeping the read side open for what is in flight.</summary>
    void CompleteOutput();

    /// <summary>Closes the transport at once; pending reads and writes fail.</summary>
    void Abort();
}
