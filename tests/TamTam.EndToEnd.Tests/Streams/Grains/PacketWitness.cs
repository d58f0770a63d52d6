using System.Threading.Channels;
using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Streams.Grains;

/// <summary>Collects what probe grains report, for a test to take with a timeout.</summary>
public sealed class PacketWitness : IPacketWitness
{
    private readonly Channel<(string Tag, StreamPacket Packet)> _seen = Channel.CreateUnbounded<(string, StreamPacket)>();

    public Task SeenAsync(string tag, StreamPacket packet)
    {
        _seen.Writer.TryWrite((tag, packet));
        return Task.CompletedTask;
    }

    /// <summary>The next <paramref name="count"/> packets reported, in the order they were.</summary>
    public async Task<List<(string Tag, StreamPacket Packet)>> TakeAsync(int count)
    {
        List<(string, StreamPacket)> taken = [];
        while (taken.Count < count)
        {
            taken.Add(await _seen.Reader.ReadAsync());
        }

        return taken;
    }

    /// <summary>Packets reported and not taken yet.</summary>
    public int Waiting => _seen.Reader.Count;
}
