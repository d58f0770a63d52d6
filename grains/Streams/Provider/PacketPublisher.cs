using System.Buffers;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Grains.Streams.Provider;

/// <summary>
/// Publishes packets of grains and Orleans clients the way a gateway publishes a node's: encoded once as the STREAM
/// frames subscribers receive, in batches of at most <see cref="MaxBatchBytes"/>, each batch handed to the port's
/// <see cref="IStreamPortGrain"/>, which numbers and routes it like any other. The packets keep their TTL: a grain
/// publishes inside the link, as a node of the link does, so no interchange pass is taken from it.
/// </summary>
internal sealed class PacketPublisher(IGrainFactory grains)
{
    /// <summary>Encoded bytes per batch, as the gateway's (<c>StreamBatchBuilder.MaxBatchBytes</c>).</summary>
    public const int MaxBatchBytes = 64 * 1024;

    private readonly IGrainFactory _grains = grains;

    /// <summary>Publishes <paramref name="packets"/> to <paramref name="stream"/>, in order; returns the first sequence.</summary>
    /// <exception cref="StreamPublishException">The port refused a batch (302, 501); the batches before it were published.</exception>
    public async Task PublishAsync(PortStreamId stream, IEnumerable<StreamPacket> packets)
    {
        IStreamPortGrain port = _grains.GetGrain<IStreamPortGrain>(stream.Key);
        Utf8Text link = Utf8Text.From(stream.Link);
        Utf8Text name = Utf8Text.From(stream.Port);
        int sequenceOffset = StreamFrame.SequenceOffset(link, name);
        var frames = new ArrayBufferWriter<byte>(256);
        int count = 0;
        int largestBody = 0;
        foreach (StreamPacket packet in packets)
        {
            ArgumentNullException.ThrowIfNull(packet);
            if (packet.Ttl == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(packets), "a packet's ttl is 1 … 255 (protocol error 114 on the wire)");
            }

            var frame = new StreamFrame(packet.PacketId == Guid.Empty ? Guid.NewGuid() : packet.PacketId, link, name, packet.Ttl, 0,
                packet.WantAck, stream.Subtree, new ReadOnlySequence<byte>(packet.Payload));
            int body = frame.FieldsLength + packet.Payload.Length;
            if (count > 0 && frames.WrittenCount + ProtocolLimits.HeaderSize + body > MaxBatchBytes)
            {
                await PublishAsync(port, new StreamBatch(stream.Key, count, frames.WrittenMemory, sequenceOffset, largestBody)).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
                frames = new ArrayBufferWriter<byte>(Math.Min(frames.WrittenCount, MaxBatchBytes));
                count = 0;
                largestBody = 0;
            }

            FrameCodec.Encode(frames, frame);
            largestBody = Math.Max(largestBody, body);
            count++;
        }

        if (count > 0)
        {
            await PublishAsync(port, new StreamBatch(stream.Key, count, frames.WrittenMemory, sequenceOffset, largestBody)).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private static async Task PublishAsync(IStreamPortGrain port, StreamBatch batch)
    {
        // The batch's buffer is not touched after the call: the port grain numbers it in place and shares it.
        StreamPublishResult result = await port.PublishAsync(batch).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (!result.Published)
        {
            throw new StreamPublishException(result.Code, result.Detail ?? result.Code.ToString());
        }
    }
}
