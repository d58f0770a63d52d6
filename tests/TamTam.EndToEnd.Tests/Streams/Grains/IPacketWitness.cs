using TamTam.Interfaces.Streams;

namespace TamTam.EndToEnd.Tests.Streams.Grains;

/// <summary>The test's ear in a probe grain: the grain's observers report every packet they are handed, with their tag.</summary>
public interface IPacketWitness : IGrainObserver
{
    Task SeenAsync(string tag, StreamPacket packet);
}
