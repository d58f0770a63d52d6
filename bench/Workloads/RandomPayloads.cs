using System.Security.Cryptography;

namespace TamTam.Bench.Workloads;

/// <summary>
/// Random payload bytes generated at run time: a ring of distinct buffers the senders take in turn (a
/// payload is never changed, so sharing one between messages in flight is safe).
/// </summary>
internal sealed class RandomPayloads
{
    private const int Distinct = 4_096;
    private readonly byte[][] _ring;

    public RandomPayloads(int size)
    {
        _ring = new byte[Distinct][];
        for (int i = 0; i < Distinct; i++)
        {
            _ring[i] = RandomNumberGenerator.GetBytes(size);
        }
    }

    public byte[] For(int message) => _ring[message % Distinct];
}
