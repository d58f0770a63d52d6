using System.Buffers;
using Microsoft.Extensions.Logging;
using TamTam.Interfaces.Streams;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Station.Internal;

/// <summary>
/// The station's stream packets across its interchanges (docs/protocol.md section 5.18, "Streams"). From upstream: a packet
/// for a hosted link is published into that link's port in the embedded silo, so its local nodes bound there receive it as
/// from any publisher; one for any other link is dropped. To upstream: a local node's packet to a link the station does not
/// host goes, as it is, to the first registered interchange (whose pass takes one from its ttl). Packets between hosted links
/// never leave the station. Nothing is stored or retried: streams may lose packets.
/// </summary>
internal sealed class StationStreams(StationRouter router, IGrainFactory grains, ILogger logger, string station)
{
    /// <summary>
    /// A local publisher's batch to a link the station does not host: written upstream, or refused with 501 when no interchange
    /// is registered (the publisher then hears it, as a SEND's sender would).
    /// </summary>
    public async Task<StreamPublishResult> ForwardAsync(StreamBatch batch)
    {
        foreach (UpstreamConnector upstream in router.Connectors)
        {
            if (upstream.IsRegistered && await upstream.TryWriteEncodedAsync(batch.Frames, CancellationToken.None).ConfigureAwait(false))
            {
                return StreamPublishResult.Ok(0);
            }
        }

        return StreamPublishResult.Refused(ErrorCode.Unavailable,
            $"the stream \"{batch.Key}\" is beyond station \"{station}\" and no interchange is connected; publish again");
    }

    /// <summary>Consecutive packets of one stream from upstream (<paramref name="start"/> to <paramref name="end"/>): published to the hosted link's port.</summary>
    public async Task DeliverAsync(IReadOnlyList<UpstreamEvent> events, int start, int end)
    {
        var first = (UpstreamStream)events[start];
        if (!router.Hosts(first.Link))
        {
            StationLog.StreamNotHosted(logger, station, first.Link, end - start);
            return;
        }

        Utf8Text link = Utf8Text.From(first.Link);
        Utf8Text port = Utf8Text.From(first.Port);
        var frames = new ArrayBufferWriter<byte>();
        int largest = 0;
        for (int i = start; i < end; i++)
        {
            var packet = (UpstreamStream)events[i];
            var frame = new StreamFrame(packet.PacketId, link, port, packet.Ttl, 0, packet.WantAck, packet.Subtree, new ReadOnlySequence<byte>(packet.Payload));
            FrameCodec.Encode(frames, frame);
            largest = Math.Max(largest, frame.FieldsLength + packet.Payload.Length);
        }

        string key = StreamNames.Key(first.Link, first.Port, first.Subtree);
        var batch = new StreamBatch(key, end - start, frames.WrittenMemory, StreamFrame.SequenceOffset(link, port), largest);
        try
        {
            StreamPublishResult result = await grains.GetGrain<IStreamPortGrain>(key).PublishAsync(batch).ConfigureAwait(false);
            if (!result.Published)
            {
                StationLog.StreamNotPublished(logger, station, key, end - start, result.Detail ?? result.Code.ToString(), null);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            StationLog.StreamNotPublished(logger, station, key, end - start, exception.Message, exception);
        }
    }

    /// <summary>Whether <paramref name="next"/> belongs to the same stream as <paramref name="first"/> (one publish call).</summary>
    public static bool SameStream(UpstreamStream first, UpstreamStream next) =>
        first.Subtree == next.Subtree && string.Equals(first.Link, next.Link, StringComparison.Ordinal)
        && string.Equals(first.Port, next.Port, StringComparison.Ordinal);
}
