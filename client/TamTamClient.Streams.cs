using System.Buffers;
using TamTam.Client.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    /// <summary>
    /// Publishes a packet in streaming mode (STREAM) to every node bound to <paramref name="port"/>, with no
    /// acknowledgement, no durability and no redelivery: the server numbers it in the port's stream so
    /// receivers can count what they missed. Returns once the packet is in the connection's write buffer;
    /// waits only while that buffer is full (the socket is the backpressure) — which is also how the server
    /// slows a publisher down that is far ahead of a subscriber still reading.
    /// </summary>
    /// <param name="port">The destination port.</param>
    /// <param name="payload">The packet's body; copied before the call returns.</param>
    /// <param name="options">Destination link, TTL in passes, acknowledgement request, packet id; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops waiting for room in the write buffer.</param>
    /// <remarks>
    /// The server answers a STREAM only when it refuses it — 302 when the port cannot take more (a silo's
    /// subscribers lag), 305 when the TTL does not allow the pass to another link, 203, 501 — and that answer
    /// arrives after this call has returned: it is counted in <see cref="StreamRefusals"/> and kept in
    /// <see cref="LastStreamRefusal"/>.
    /// </remarks>
    /// <exception cref="TamTamException">303 when the packet does not fit <see cref="MaxBody"/>; 113 for an invalid port or link.</exception>
    /// <exception cref="TamTamConnectionException">The connection has ended.</exception>
    public async ValueTask PublishAsync(string port, ReadOnlyMemory<byte> payload, StreamOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(port);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        byte ttl = options?.Ttl ?? StreamOptions.DefaultTtl;
        if (ttl == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), ttl, "A packet's TTL is 1 to 255 passes.");
        }

        var frame = new StreamFrame(options?.PacketId ?? _packetIds.Next(), _names.Encode(options?.Link), _names.Encode(port), ttl, 0,
            options?.WantAck ?? false, options?.Subtree ?? false, new ReadOnlySequence<byte>(payload));
        long body = frame.FieldsLength + (long)payload.Length;
        if (body > MaxBody)
        {
            throw new TamTamException(ErrorCode.MessageTooLarge,
                $"a STREAM of {payload.Length} payload bytes needs a {body}-byte body; the server accepts at most {MaxBody}");
        }

        ClientConnection connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.Writer.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Writer.Write(frame, StreamReceiver.Correlation);
        }
        catch (ProtocolException exception)
        {
            throw new TamTamException(exception.Code, exception.Detail, exception);
        }
    }

    /// <summary>
    /// The stream packets delivered to this node (for every port it has bound), in arrival order; each
    /// (link, port) in sequence order. Packets with <see cref="StreamPacket.AckRequested"/> have been
    /// acknowledged already. Up to <see cref="StreamBufferCapacity"/> packets, and up to 32 MiB of their payloads,
    /// wait here; beyond that the client drops packets rather than stop reading the connection, and counts them
    /// (<see cref="StreamPacketsDropped"/>, and <see cref="StreamPacket.LostBefore"/> on the next one). Several
    /// readers may enumerate at once; each packet goes to one of them. Ends normally when the client is
    /// disposed and with <see cref="TamTamConnectionException"/> when the connection fails.
    /// </summary>
    public IAsyncEnumerable<StreamPacket> ReceiveStreamAsync(CancellationToken cancellationToken = default) =>
        _streams.ReadAllAsync(cancellationToken);

    /// <summary>Stream packets that can wait in <see cref="ReceiveStreamAsync"/> before the client drops further ones.</summary>
    public int StreamBufferCapacity => _streams.Capacity;

    /// <summary>
    /// Every stream packet missed so far, summed over all ports: the gaps in the sequences of the packets handed
    /// to the application (lost on the way or dropped by this client).
    /// </summary>
    public long StreamPacketsLost => _streams.Lost;

    /// <summary>Stream packets this client received and dropped because <see cref="ReceiveStreamAsync"/> was full.</summary>
    public long StreamPacketsDropped => _streams.Dropped;

    /// <summary>STREAM frames of this client the server refused (see <see cref="PublishAsync"/>).</summary>
    public long StreamRefusals => _streams.Refused;

    /// <summary>The server's most recent refusal of a STREAM of this client, or <see langword="null"/>.</summary>
    public TamTamException? LastStreamRefusal => _streams.LastRefusal;
}
