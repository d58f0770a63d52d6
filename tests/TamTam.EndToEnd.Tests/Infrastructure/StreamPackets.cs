using System.Buffers.Binary;
using TamTam.Client;

namespace TamTam.EndToEnd.Tests.Infrastructure;

/// <summary>Numbered stream packets, sent and received as the streaming tests do.</summary>
internal static class StreamPackets
{
    /// <summary>A 64-byte payload that carries <paramref name="number"/>.</summary>
    public static byte[] Numbered(int number)
    {
        byte[] payload = new byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(payload, number);
        return payload;
    }

    /// <summary>The number a <see cref="Numbered"/> payload carries.</summary>
    public static int NumberOf(StreamPacket packet) => BinaryPrimitives.ReadInt32LittleEndian(packet.Payload.Span);

    /// <summary>The next <paramref name="count"/> packets <paramref name="client"/> receives.</summary>
    public static async Task<List<StreamPacket>> TakeAsync(TamTamClient client, int count)
    {
        var packets = new List<StreamPacket>(count);
        await foreach (StreamPacket packet in client.ReceiveStreamAsync())
        {
            packets.Add(packet);
            if (packets.Count == count)
            {
                break;
            }
        }

        return packets;
    }

    /// <summary>Every packet up to and including the first marker (payload number −1).</summary>
    public static async Task<List<StreamPacket>> TakeUntilMarkerAsync(TamTamClient client)
    {
        var packets = new List<StreamPacket>();
        await foreach (StreamPacket packet in client.ReceiveStreamAsync())
        {
            packets.Add(packet);
            if (NumberOf(packet) < 0)
            {
                break;
            }
        }

        return packets;
    }
}
